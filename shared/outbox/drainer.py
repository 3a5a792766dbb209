"""Delivers outbox rows: one shard at a time, in id order, newest message per object only,
with capped exponential backoff on failure. Runs right after commits and on a periodic sweep."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from shared.db.engine import SQLITE_BEGIN_OPTION
from shared.db.types import utcnow
from shared.outbox.categories import OutboxCategory
from shared.outbox.model import ShardKey

log = logging.getLogger("silo.outbox")


@dataclass(frozen=True)
class OutboxRecord:
    """One message as a deliverer sees it; ``id`` grows with every write, so it is the version."""

    id: int
    category: OutboxCategory
    shard: ShardKey
    object_identifier: int
    payload: dict[str, Any] | None


Deliver = Callable[[OutboxRecord], None]


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


@dataclass(frozen=True)
class DrainResult:
    """What one pass over a shard did."""

    delivered: int = 0
    coalesced: int = 0
    failed: bool = False


@dataclass
class _Outcome:
    """What delivering one pass did: the newest id delivered per (category, object)."""

    previous_delay: timedelta
    delivered: dict[tuple[int, int], int] = field(default_factory=dict)
    coalesced: int = 0
    failed: bool = False

    @property
    def result(self) -> DrainResult:
        return DrainResult(len(self.delivered), self.coalesced, self.failed)


class OutboxDrainer:
    """Drains one outbox table by calling ``deliver`` for each message."""

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
        self._clock = clock
        self._locks_guard = threading.Lock()
        self._pending: set[ShardKey] = set()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        # Called after each delivery with the category and the seconds since the row's commit.
        self.on_delivered: Callable[[OutboxCategory, float], None] | None = None

    # Selecting and locking shards

    def _shard_condition(self, shard: ShardKey) -> list[ColumnElement[bool]]:
        model = self._model
        condition = [
            model.shard_scope == shard.shard_scope,
            model.shard_identifier == shard.shard_identifier,
        ]
        if self._per_region:
            condition.append(model.region_name == shard.region_name)
        return condition

    def due_shards(self) -> list[ShardKey]:
        """Shards with a row that is due now."""
        model = self._model
        region = [model.region_name] if self._per_region else []
        query = (
            select(*region, model.shard_scope, model.shard_identifier)
            .where(model.scheduled_for <= self._clock())
            .distinct()
        )
        with self._sessions() as session:
            rows = session.execute(query).all()
        if self._per_region:
            return [ShardKey(row[0], row[1], row[2]) for row in rows]
        return [ShardKey("", row[0], row[1]) for row in rows]

    def _local_lock(self, shard: ShardKey) -> threading.Lock:
        database = self._sessions.kw["bind"].url.render_as_string(hide_password=True)
        key = (database, self._model.__tablename__, shard)
        with _SHARD_LOCKS_GUARD:
            return _SHARD_LOCKS.setdefault(key, threading.Lock())

    def drain_shard(self, shard: ShardKey) -> DrainResult:
        """Delivers the due messages of one shard, unless another drainer holds it."""
        local = self._local_lock(shard)
        if not local.acquire(blocking=False):
            return DrainResult()
        try:
            if self._sessions.kw["bind"].dialect.name == "sqlite":
                return self._drain_sqlite(shard)
            return self._drain_locking_rows(shard)
        finally:
            local.release()

    def _drain_locking_rows(self, shard: ShardKey) -> DrainResult:
        # PostgreSQL: the shard's oldest row is its lock. Whoever holds it owns the shard until
        # commit; a drainer that finds it locked skips the shard. (SKIP LOCKED on "the oldest
        # row" would hand out the next row instead, so the oldest id is looked up, then locked.)
        model = self._model
        condition = self._shard_condition(shard)
        with self._sessions() as session:
            oldest = session.scalar(select(func.min(model.id)).where(*condition))
            if oldest is None:
                return DrainResult()
            held = session.scalar(
                select(model.id).where(model.id == oldest).with_for_update(skip_locked=True)
            )
            if held is None:
                return DrainResult()
            pending = self._due_rows(session, condition)
            outcome = self._deliver_all(shard, pending)
            self._settle(session, condition, outcome)
            session.commit()
        return outcome.result

    def _drain_sqlite(self, shard: ShardKey) -> DrainResult:
        # SQLite: reading and settling are two short transactions and delivery happens between
        # them, so the database write lock is never held across a remote call. Within a process
        # the shared shard locks keep drainers apart; a second process draining the same file could
        # deliver a message twice, which receivers absorb (idempotent, versioned).
        condition = self._shard_condition(shard)
        with self._sessions() as session:
            pending = self._due_rows(session, condition)
        outcome = self._deliver_all(shard, pending)
        if outcome.delivered or outcome.result.failed:
            with self._sessions() as session:
                session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
                self._settle(session, condition, outcome)
                session.commit()
        return outcome.result

    def _due_rows(self, session: Session, condition: list[ColumnElement[bool]]) -> list[_Pending]:
        model = self._model
        rows = session.scalars(
            select(model).where(*condition).order_by(model.id).limit(self._batch_size)
        ).all()
        if not rows or rows[0].scheduled_for > self._clock():
            return []
        return [
            _Pending(
                row.id,
                row.category,
                row.object_identifier,
                row.payload,
                row.scheduled_for - row.scheduled_from,
                row.date_added,
            )
            for row in rows
        ]

    def _deliver_all(self, shard: ShardKey, pending: list[_Pending]) -> _Outcome:
        newest: dict[tuple[int, int], _Pending] = {}
        for row in pending:
            newest[(row.category, row.object_identifier)] = row
        outcome = _Outcome(previous_delay=pending[0].delay if pending else timedelta())
        for key, row in sorted(newest.items(), key=lambda item: item[1].id):
            try:
                self._deliver(
                    OutboxRecord(
                        id=row.id,
                        category=OutboxCategory(row.category),
                        shard=shard,
                        object_identifier=row.object_identifier,
                        payload=row.payload,
                    )
                )
            except Exception as error:
                outcome.failed = True
                log.warning(
                    "outbox delivery failed shard=%s category=%s object=%s: %s",
                    tuple(shard),
                    OutboxCategory(row.category).name,
                    row.object_identifier,
                    error,
                )
                break
            outcome.delivered[key] = row.id
            if self.on_delivered is not None:
                lag = (self._clock() - row.added).total_seconds()
                self.on_delivered(OutboxCategory(row.category), lag)
        outcome.coalesced = sum(
            1
            for row in pending
            if (row.category, row.object_identifier) in outcome.delivered
            and row.id != outcome.delivered[(row.category, row.object_identifier)]
        )
        return outcome

    def _settle(
        self, session: Session, condition: list[ColumnElement[bool]], outcome: _Outcome
    ) -> None:
        model = self._model
        for (category, object_identifier), newest_id in outcome.delivered.items():
            session.execute(
                delete(model).where(
                    *condition,
                    model.category == category,
                    model.object_identifier == object_identifier,
                    model.id <= newest_id,
                )
            )
        if outcome.failed:
            now = self._clock()
            delay = min(self._max_backoff, max(self._base_backoff, outcome.previous_delay * 2))
            session.execute(
                update(model)
                .where(*condition)
                .values(scheduled_from=now, scheduled_for=now + delay)
            )

    def drain_due(self) -> int:
        """Delivers every due shard once; returns how many messages were delivered."""
        return sum(self.drain_shard(shard).delivered for shard in self.due_shards())

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
        while not self._stopping.is_set():
            self._wake.wait(self._sweep_seconds)
            self._wake.clear()
            with self._locks_guard:
                pending, self._pending = self._pending, set()
            try:
                for shard in pending:
                    self.drain_shard(shard)
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
