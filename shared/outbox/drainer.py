"""Delivers outbox rows: one shard at a time, in id order, newest message per object only,
with capped exponential backoff on failure. Runs right after commits and on a periodic sweep."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class DrainResult:
    """What one pass over a shard did."""

    delivered: int = 0
    coalesced: int = 0
    failed: bool = False


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
        self._shard_locks: dict[ShardKey, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._pending: set[ShardKey] = set()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

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
        with self._locks_guard:
            return self._shard_locks.setdefault(shard, threading.Lock())

    def drain_shard(self, shard: ShardKey) -> DrainResult:
        """Delivers the due messages of one shard, unless another drainer holds it."""
        local = self._local_lock(shard)
        if not local.acquire(blocking=False):
            return DrainResult()
        try:
            with self._sessions() as session:
                result = self._drain_locked(session, shard)
                session.commit()
                return result
        finally:
            local.release()

    def _drain_locked(self, session: Session, shard: ShardKey) -> DrainResult:
        model = self._model
        condition = self._shard_condition(shard)
        if session.get_bind().dialect.name == "sqlite":
            # SQLite has no row locks: the database write lock, taken at BEGIN, keeps any other
            # drainer (in any process) off the shard until this pass commits.
            session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        else:
            # The shard's oldest row is its lock: whoever holds it owns the shard, and a drainer
            # that finds it locked skips the shard. (SKIP LOCKED on "the oldest row" would hand
            # out the next row instead, so the oldest id is looked up first, then locked by id.)
            oldest = session.scalar(select(func.min(model.id)).where(*condition))
            if oldest is None:
                return DrainResult()
            held = session.scalar(
                select(model.id).where(model.id == oldest).with_for_update(skip_locked=True)
            )
            if held is None:
                return DrainResult()
        rows = session.scalars(
            select(model).where(*condition).order_by(model.id).limit(self._batch_size)
        ).all()
        now = self._clock()
        if not rows or rows[0].scheduled_for > now:
            return DrainResult()
        newest: dict[tuple[int, int], Any] = {}
        for row in rows:
            newest[(row.category, row.object_identifier)] = row
        delivered = coalesced = 0
        for (category, object_identifier), row in sorted(newest.items(), key=lambda i: i[1].id):
            try:
                self._deliver(self._record(row, shard))
            except Exception as error:
                self._back_off(session, condition, now)
                log.warning(
                    "outbox delivery failed shard=%s category=%s object=%s: %s",
                    tuple(shard),
                    OutboxCategory(category).name,
                    object_identifier,
                    error,
                )
                return DrainResult(delivered, coalesced, failed=True)
            removed = session.execute(
                delete(model).where(
                    *condition,
                    model.category == category,
                    model.object_identifier == object_identifier,
                    model.id <= row.id,
                )
            )
            delivered += 1
            coalesced += max(0, getattr(removed, "rowcount", 1) - 1)
        return DrainResult(delivered, coalesced)

    def _record(self, row: Any, shard: ShardKey) -> OutboxRecord:
        return OutboxRecord(
            id=row.id,
            category=OutboxCategory(row.category),
            shard=shard,
            object_identifier=row.object_identifier,
            payload=row.payload,
        )

    def _back_off(
        self, session: Session, condition: list[ColumnElement[bool]], now: datetime
    ) -> None:
        model = self._model
        first = session.scalars(select(model).where(*condition).order_by(model.id).limit(1)).first()
        previous = (
            (first.scheduled_for - first.scheduled_from) if first is not None else timedelta()
        )
        delay = min(self._max_backoff, max(self._base_backoff, previous * 2))
        session.execute(
            update(model).where(*condition).values(scheduled_from=now, scheduled_for=now + delay)
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
