"""Delivers outbox rows: one shard at a time, in id order, newest message per object only,
with capped exponential backoff on failure. Runs right after commits and on a periodic sweep."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from shared.db.engine import SQLITE_BEGIN_OPTION
from shared.db.types import utcnow
from shared.outbox.categories import OutboxCategory
from shared.outbox.model import ShardKey
from shared.outbox.statements import SETTLE_CHUNK, DrainStatements

log = logging.getLogger("silo.outbox")


@dataclass(frozen=True)
class OutboxRecord:
    """One message as a deliverer sees it; ``id`` grows with every write, so it is the version."""

    id: int
    category: OutboxCategory
    shard: ShardKey
    object_identifier: int
    payload: dict[str, Any] | None


Deliver = Callable[[Sequence[OutboxRecord]], Mapping[int, str]]
"""Delivers a batch of messages (the messages of one or more shards, each shard's in id order)
and answers the ones it did not deliver, by record id, with the reason. The drainer keeps a
shard's first undelivered message and every later one of that shard, and backs the shard off;
the other shards' messages are settled. Raising means no message of the batch was delivered."""

DeliverOne = Callable[[OutboxRecord], None]
"""Delivers one message, raising when it could not."""


def one_at_a_time(deliver: DeliverOne) -> Deliver:
    """A ``Deliver`` calling ``deliver`` for each message in turn: after a message of a shard
    fails, the later messages of that shard are not tried (the other shards' still are)."""

    def deliver_batch(records: Sequence[OutboxRecord]) -> Mapping[int, str]:
        undelivered: dict[int, str] = {}
        failed: set[ShardKey] = set()
        for record in records:
            if record.shard in failed:
                undelivered[record.id] = "an earlier message of its shard failed"
                continue
            try:
                deliver(record)
            except Exception as error:
                failed.add(record.shard)
                undelivered[record.id] = f"{type(error).__name__}: {error}"
        return undelivered

    return deliver_batch


# Every drainer of this process shares these, so two drainers of one table never work the same
# shard at once (on PostgreSQL the row lock does the same across processes).
_SHARD_LOCKS: dict[tuple[str, str, ShardKey], threading.Lock] = {}
_SHARD_LOCKS_GUARD = threading.Lock()


@dataclass(frozen=True)
class _Pending:
    """An outbox row as read for one pass; ``delay`` is its current backoff interval."""

    id: int
    category: int
    object_identifier: int
    payload: dict[str, Any] | None
    delay: timedelta
    added: datetime

    @classmethod
    def from_row(cls, row: Any) -> _Pending:
        """The pending message of a row read with ``DrainStatements.pending_columns``."""
        return cls(
            row.id,
            row.category,
            row.object_identifier,
            row.payload,
            row.scheduled_for - row.scheduled_from,
            row.date_added,
        )


@dataclass(frozen=True)
class DrainResult:
    """What one pass over one or more shards did."""

    delivered: int = 0
    coalesced: int = 0
    failed: bool = False


@dataclass
class _ShardOutcome:
    """What delivering one shard's rows of a pass did: the rows it settles, and whether (and
    from which backoff interval) the shard backs off."""

    previous_delay: timedelta
    settled: list[int] = field(default_factory=list)
    delivered: int = 0
    failed: bool = False


@dataclass
class _Outcome:
    """What one pass did, shard by shard."""

    shards: dict[ShardKey, _ShardOutcome] = field(default_factory=dict)

    @property
    def result(self) -> DrainResult:
        delivered = sum(shard.delivered for shard in self.shards.values())
        settled = sum(len(shard.settled) for shard in self.shards.values())
        failed = any(shard.failed for shard in self.shards.values())
        return DrainResult(delivered, settled - delivered, failed)

    @property
    def changes(self) -> bool:
        """Whether settling has anything to write."""
        return any(shard.settled or shard.failed for shard in self.shards.values())


class OutboxDrainer:
    """Drains one outbox table by handing ``deliver`` the due messages of one or more shards at
    a time: newest message per object, each shard's in id order, settled in one transaction.

    :param batch_size: at most this many rows of one shard per pass.
    :param shards_per_batch: at most this many shards per pass.
    :param messages_per_call: at most this many messages per ``deliver`` call (a pass with more
        makes several calls; the batch RPCs take at most 1000).
    :param coalesce_seconds: the background thread starts passes at least this far apart. A
        commit after a quiet spell is delivered at once; commits that follow within this window
        wait for the next pass and go out together, so a steady stream of writes costs one pass
        per window instead of one per commit (each pass reads, calls the receiver, whose
        transaction applies the batch, and settles).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        model: type[Any],
        deliver: Deliver,
        *,
        per_region: bool,
        sweep_seconds: float = 1.0,
        base_backoff_seconds: float = 0.5,
        max_backoff_seconds: float = 60.0,
        batch_size: int = 100,
        shards_per_batch: int = 50,
        messages_per_call: int = 1000,
        coalesce_seconds: float = 0.05,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._model = model
        self._deliver = deliver
        self._per_region = per_region
        self._sweep_seconds = sweep_seconds
        self._base_backoff = timedelta(seconds=base_backoff_seconds)
        self._max_backoff = timedelta(seconds=max_backoff_seconds)
        self._batch_size = batch_size
        self._shards_per_batch = shards_per_batch
        self._messages_per_call = max(messages_per_call, batch_size)
        self._coalesce_seconds = coalesce_seconds
        self._clock = clock
        self._statements = DrainStatements(model, per_region=per_region, batch_size=batch_size)
        self._locks_guard = threading.Lock()
        self._pending: set[ShardKey] = set()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        # Called after each delivery with the category and the seconds since the row's commit.
        self.on_delivered: Callable[[OutboxCategory, float], None] | None = None

    # Selecting and locking shards

    def due_shards(self) -> list[ShardKey]:
        """Shards with a row that is due now."""
        statements = self._statements
        with self._sessions() as session:
            rows = session.connection().execute(statements.due_shards, {"now": self._clock()})
            return [statements.shard_of(tuple(row)) for row in rows]

    def _local_lock(self, shard: ShardKey) -> threading.Lock:
        database = self._sessions.kw["bind"].url.render_as_string(hide_password=True)
        key = (database, self._model.__tablename__, shard)
        with _SHARD_LOCKS_GUARD:
            return _SHARD_LOCKS.setdefault(key, threading.Lock())

    def drain_shard(self, shard: ShardKey) -> DrainResult:
        """Delivers the due messages of one shard, unless another drainer holds it."""
        return self.drain_shards([shard])

    def drain_shards(self, shards: Iterable[ShardKey]) -> DrainResult:
        """Delivers the due messages of these shards in one ``deliver`` call and settles them
        in one transaction; a shard another drainer holds is left to it."""
        held: list[tuple[ShardKey, threading.Lock]] = []
        try:
            for shard in dict.fromkeys(shards):
                local = self._local_lock(shard)
                if local.acquire(blocking=False):
                    held.append((shard, local))
            if not held:
                return DrainResult()
            mine = [shard for shard, _ in held]
            if self._sessions.kw["bind"].dialect.name == "sqlite":
                return self._drain_sqlite(mine)
            return self._drain_locking_rows(mine)
        finally:
            for _, local in held:
                local.release()

    def _drain_locking_rows(self, shards: list[ShardKey]) -> DrainResult:
        # PostgreSQL: a shard's oldest row is its lock. Whoever holds it owns the shard until
        # commit; a drainer that finds it locked skips the shard. (SKIP LOCKED on "the oldest
        # row" would hand out the next row instead, so the oldest id is looked up, then locked.)
        statements = self._statements
        with self._sessions() as session:
            connection = session.connection()
            pending: dict[ShardKey, list[_Pending]] = {}
            for shard in shards:
                parameters = statements.shard_parameters(shard)
                oldest = connection.scalar(statements.oldest_of_shard, parameters)
                if oldest is None:
                    continue
                if connection.scalar(statements.lock_row, {"row_id": oldest}) is None:
                    continue
                rows = connection.execute(statements.due_rows_of_shard, parameters).all()
                if rows and rows[0].scheduled_for <= self._clock():
                    pending[shard] = [_Pending.from_row(row) for row in rows]
            outcome = self._deliver_all(pending)
            if outcome.changes:
                self._settle(session, outcome)
            session.commit()
        return outcome.result

    def _drain_sqlite(self, shards: list[ShardKey]) -> DrainResult:
        # SQLite: reading and settling are two short transactions and delivery happens between
        # them, so the database write lock is never held across a remote call. Within a process
        # the shared shard locks keep drainers apart; a second process draining the same file could
        # deliver a message twice, which receivers absorb (idempotent, versioned).
        with self._sessions() as session:
            pending = self._due_rows_of(session, shards)
        outcome = self._deliver_all(pending)
        if outcome.changes:
            with self._sessions() as session:
                session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
                self._settle(session, outcome)
                session.commit()
        return outcome.result

    def _due_rows_of(
        self, session: Session, shards: list[ShardKey]
    ) -> dict[ShardKey, list[_Pending]]:
        """The due rows of each shard, in one query per ``shards_per_batch`` shards: each
        shard's oldest ``batch_size`` rows, none of a shard whose oldest row is not due (it
        waits for its retry)."""
        statements = self._statements
        connection = session.connection()
        found: dict[ShardKey, list[_Pending]] = {}
        first_due: dict[ShardKey, datetime] = {}
        for start in range(0, len(shards), self._shards_per_batch):
            keys = [
                statements.shard_values(shard)
                for shard in shards[start : start + self._shards_per_batch]
            ]
            for row in connection.execute(statements.due_rows_of_shards, {"shards": keys}):
                shard = statements.shard_of(tuple(row))
                if shard not in found:
                    first_due[shard] = row.scheduled_for
                found.setdefault(shard, []).append(_Pending.from_row(row))
        now = self._clock()
        return {
            shard: found[shard] for shard in shards if shard in found and first_due[shard] <= now
        }

    def _deliver_all(self, pending: Mapping[ShardKey, list[_Pending]]) -> _Outcome:
        outcome = _Outcome()
        batch: list[OutboxRecord] = []
        chosen: dict[ShardKey, list[_Pending]] = {}
        for shard, rows in pending.items():
            outcome.shards[shard] = _ShardOutcome(previous_delay=rows[0].delay)
            newest: dict[tuple[int, int], _Pending] = {}
            for row in rows:
                newest[(row.category, row.object_identifier)] = row
            chosen[shard] = sorted(newest.values(), key=lambda row: row.id)
            batch.extend(
                OutboxRecord(
                    id=row.id,
                    category=OutboxCategory(row.category),
                    shard=shard,
                    object_identifier=row.object_identifier,
                    payload=row.payload,
                )
                for row in chosen[shard]
            )
        if not batch:
            return outcome
        undelivered: dict[int, str] = {}
        for call in self._calls(batch):
            try:
                undelivered.update(self._deliver(call))
            except Exception as error:
                undelivered.update({r.id: f"{type(error).__name__}: {error}" for r in call})
        now = self._clock()
        for shard, rows in chosen.items():
            shard_outcome = outcome.shards[shard]
            delivered: set[tuple[int, int]] = set()
            newest_delivered = 0
            for row in rows:
                if row.id in undelivered:
                    shard_outcome.failed = True
                    log.warning(
                        "outbox delivery failed shard=%s category=%s object=%s: %s",
                        tuple(shard),
                        OutboxCategory(row.category).name,
                        row.object_identifier,
                        undelivered[row.id],
                    )
                    break
                delivered.add((row.category, row.object_identifier))
                newest_delivered = row.id
                shard_outcome.delivered += 1
                if self.on_delivered is not None:
                    lag = (now - row.added).total_seconds()
                    self.on_delivered(OutboxCategory(row.category), lag)
            # A delivered message stands for every older one about its object (coalesced).
            shard_outcome.settled = [
                row.id
                for row in pending[shard]
                if (row.category, row.object_identifier) in delivered and row.id <= newest_delivered
            ]
        return outcome

    def _calls(self, batch: list[OutboxRecord]) -> list[list[OutboxRecord]]:
        """The batch cut into calls of at most ``messages_per_call`` messages, a shard's
        messages in one call (a shard's pass never holds more than ``batch_size``)."""
        sizes = Counter(record.shard for record in batch)
        calls: list[list[OutboxRecord]] = [[]]
        for index, record in enumerate(batch):
            starts_shard = index == 0 or batch[index - 1].shard != record.shard
            if starts_shard and len(calls[-1]) + sizes[record.shard] > self._messages_per_call:
                calls.append([])
            calls[-1].append(record)
        return [call for call in calls if call]

    def _settle(self, session: Session, outcome: _Outcome) -> None:
        statements = self._statements
        connection = session.connection()
        settled = [row_id for shard in outcome.shards.values() for row_id in shard.settled]
        for start in range(0, len(settled), SETTLE_CHUNK):
            connection.execute(statements.settle, {"ids": settled[start : start + SETTLE_CHUNK]})
        now = self._clock()
        for shard, shard_outcome in outcome.shards.items():
            if not shard_outcome.failed:
                continue
            delay = min(
                self._max_backoff, max(self._base_backoff, shard_outcome.previous_delay * 2)
            )
            connection.execute(
                statements.back_off, statements.back_off_parameters(shard, now, now + delay)
            )

    def drain_due(self) -> int:
        """Delivers every due shard once; returns how many messages were delivered."""
        return self._drain_in_batches(self.due_shards())

    def _drain_in_batches(self, shards: Sequence[ShardKey]) -> int:
        delivered = 0
        for start in range(0, len(shards), self._shards_per_batch):
            delivered += self.drain_shards(shards[start : start + self._shards_per_batch]).delivered
        return delivered

    # Running in the background

    def schedule(self, shards: Iterable[ShardKey]) -> None:
        """Asks the background thread to drain these shards now (called after commits)."""
        with self._locks_guard:
            self._pending.update(shards)
        self._wake.set()

    def start(self, name: str = "outbox-drainer") -> None:
        """Starts the background thread: immediate drains on request, a sweep every interval."""
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stops the background thread after its current pass."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        last_sweep = 0.0
        last_pass = -self._coalesce_seconds
        while not self._stopping.is_set():
            self._wake.wait(self._sweep_seconds)
            # Within the window of the last pass, wait for its end: the commits that come in
            # meanwhile join this pass.
            pause = last_pass + self._coalesce_seconds - time.monotonic()
            if pause > 0 and self._stopping.wait(pause):
                break
            last_pass = time.monotonic()
            self._wake.clear()
            with self._locks_guard:
                pending, self._pending = self._pending, set()
            try:
                # Shards that came in while the last pass was delivering go out together.
                self._drain_in_batches(sorted(pending))
                if time.monotonic() - last_sweep >= self._sweep_seconds:
                    last_sweep = time.monotonic()
                    self.drain_due()
            except Exception:
                log.exception("outbox drain pass failed; retrying on the next sweep")


def drain_until_interrupted(
    drainer: OutboxDrainer, *, once: bool, pause_seconds: float = 1.0
) -> int:
    """Delivers due messages: one pass with ``once``, else a pass every ``pause_seconds`` until
    interrupted. Returns how many messages were delivered."""
    delivered = 0
    try:
        while True:
            delivered += drainer.drain_due()
            if once:
                return delivered
            time.sleep(pause_seconds)
    except KeyboardInterrupt:
        return delivered
