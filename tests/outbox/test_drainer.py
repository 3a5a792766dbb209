"""The outbox drainer against a real database: order, coalescing, backoff, one drainer per shard."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import MetaData, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, sessionmaker

from shared.db.columns import BigIntId
from shared.db.unit_of_work import UnitOfWork
from shared.outbox.categories import OutboxCategory
from shared.outbox.drainer import OutboxDrainer, OutboxRecord, one_at_a_time
from shared.outbox.model import OutboxColumns, OutboxMessage, ShardKey
from shared.outbox.status import backlog
from shared.outbox.writer import OutboxWriter

ORG = OutboxCategory.ORGANIZATION_UPDATE
MEMBER = OutboxCategory.ORGANIZATION_MEMBER_UPDATE


class Base(DeclarativeBase):
    metadata = MetaData()


class ScratchOutbox(OutboxColumns, Base):
    __tablename__ = "testoutbox"

    id: Mapped[BigIntId]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def write(sessions: sessionmaker[Session], clock: Clock, *messages: OutboxMessage) -> None:
    writer = OutboxWriter(ScratchOutbox, per_region=False)
    with UnitOfWork(sessions, outbox=writer) as uow:
        newest = uow.session.scalar(select(func.max(ScratchOutbox.id))) or 0
        for message in messages:
            uow.add_outbox(message)
        uow.session.flush()
        for row in uow.session.scalars(select(ScratchOutbox).where(ScratchOutbox.id > newest)):
            row.scheduled_for = row.scheduled_from = row.date_added = clock.now
        uow.commit()


def remaining(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(ScratchOutbox)) or 0


def shard(identifier: int) -> ShardKey:
    return ShardKey("", 0, identifier)


def test_delivers_in_order_and_coalesces(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    write(
        sessions,
        clock,
        OutboxMessage(ORG, 1, 1),
        OutboxMessage(MEMBER, 1, 10),
        OutboxMessage(ORG, 1, 1),
        OutboxMessage(MEMBER, 1, 11),
        OutboxMessage(MEMBER, 1, 10),
    )
    delivered: list[OutboxRecord] = []
    drainer = OutboxDrainer(
        sessions, ScratchOutbox, one_at_a_time(delivered.append), per_region=False, clock=clock
    )
    result = drainer.drain_shard(shard(1))
    assert [(r.category, r.object_identifier) for r in delivered] == [
        (ORG, 1),
        (MEMBER, 11),
        (MEMBER, 10),
    ]
    assert [r.id for r in delivered] == sorted(r.id for r in delivered)
    assert (result.delivered, result.coalesced, result.failed) == (3, 2, False)
    assert remaining(sessions) == 0


def test_failure_backs_off_without_blocking_other_shards(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    write(sessions, clock, OutboxMessage(ORG, 1, 1), OutboxMessage(ORG, 2, 2))
    delivered: list[int] = []
    failing = {1}

    def deliver(record: OutboxRecord) -> None:
        if record.shard.shard_identifier in failing:
            raise ConnectionError("control silo unavailable")
        delivered.append(record.shard.shard_identifier)

    drainer = OutboxDrainer(
        sessions,
        ScratchOutbox,
        one_at_a_time(deliver),
        per_region=False,
        clock=clock,
        base_backoff_seconds=1,
        max_backoff_seconds=4,
    )
    assert drainer.drain_due() == 1
    assert delivered == [2]
    delays = []
    for _ in range(4):
        with sessions() as session:
            row = session.scalars(select(ScratchOutbox)).one()
            delays.append((row.scheduled_for - row.scheduled_from).total_seconds())
            clock.now = row.scheduled_for
        drainer.drain_due()
    assert delays == [1, 2, 4, 4]
    with sessions() as session:
        status = backlog(session, ScratchOutbox, per_region=False, now=clock.now)
    assert [(s.shard_identifier, s.rows) for s in status] == [(1, 1)]
    assert status[0].oldest_age_seconds > 0
    failing.clear()
    clock.now += timedelta(seconds=5)
    assert drainer.drain_due() == 1
    assert delivered == [2, 1] and remaining(sessions) == 0


def test_a_shard_waits_for_its_oldest_row(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    write(sessions, clock, OutboxMessage(ORG, 1, 1))
    calls: list[int] = []

    def fail_once(record: OutboxRecord) -> None:
        calls.append(record.object_identifier)
        if len(calls) == 1:
            raise ConnectionError("down")

    drainer = OutboxDrainer(
        sessions, ScratchOutbox, one_at_a_time(fail_once), per_region=False, clock=clock
    )
    drainer.drain_due()
    write(sessions, clock, OutboxMessage(MEMBER, 1, 5))
    assert drainer.drain_shard(shard(1)).delivered == 0
    assert calls == [1]
    clock.now += timedelta(minutes=5)
    assert drainer.drain_shard(shard(1)).delivered == 2
    assert calls == [1, 1, 5]


def test_concurrent_drainers_deliver_each_message_once(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    for batch in range(10):
        write(sessions, clock, *[OutboxMessage(MEMBER, s, batch * 10 + s) for s in range(1, 6)])
    seen: list[tuple[int, int]] = []
    guard = threading.Lock()

    def deliver(record: OutboxRecord) -> None:
        with guard:
            seen.append((record.shard.shard_identifier, record.object_identifier))

    drainers = [
        OutboxDrainer(
            sessions, ScratchOutbox, one_at_a_time(deliver), per_region=False, clock=clock
        )
        for _ in range(3)
    ]
    threads = [threading.Thread(target=d.drain_due) for d in drainers for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for drainer in drainers:
        drainer.drain_due()
    assert sorted(seen) == sorted({(s, b * 10 + s) for b in range(10) for s in range(1, 6)})
    assert remaining(sessions) == 0
    per_shard: dict[int, list[int]] = {}
    for identifier, obj in seen:
        per_shard.setdefault(identifier, []).append(obj)
    assert all(objs == sorted(objs) for objs in per_shard.values())


def test_commit_tells_the_drainer(sessions: sessionmaker[Session]) -> None:
    writer = OutboxWriter(ScratchOutbox, per_region=False)
    told: list[ShardKey] = []
    writer.listen(told.extend)
    with UnitOfWork(sessions, outbox=writer) as uow:
        uow.add_outbox(OutboxMessage(ORG, 3, 3))
    assert told == [] and remaining(sessions) == 0
    with UnitOfWork(sessions, outbox=writer) as uow:
        uow.add_outbox(OutboxMessage(ORG, 3, 3))
        uow.commit()
    assert told == [ShardKey("", 0, 3)] and remaining(sessions) == 1
