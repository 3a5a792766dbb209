"""A drain pass on SQLite reads the due rows of all its shards in one query: at most
``batch_size`` of each shard, oldest first, and none of a shard that waits for a retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session, sessionmaker

from shared.outbox.drainer import OutboxDrainer
from shared.outbox.model import OutboxMessage
from tests.outbox.test_batches import Receiver
from tests.outbox.test_drainer import MEMBER, ORG, Clock, ScratchOutbox, shard, write


def test_one_query_reads_every_shard_up_to_the_batch_size(
    sessions: sessionmaker[Session],
) -> None:
    if sessions.kw["bind"].dialect.name != "sqlite":
        pytest.skip("PostgreSQL drains lock each shard's oldest row, one shard at a time")
    clock = Clock()
    for identifier in (1, 2, 3):
        write(
            sessions,
            clock,
            *(OutboxMessage(MEMBER, identifier, 100 * identifier + n) for n in range(4)),
        )
    receiver = Receiver()
    drainer = OutboxDrainer(
        sessions, ScratchOutbox, receiver, per_region=False, batch_size=3, clock=clock
    )
    selects: list[str] = []
    event.listen(
        sessions.kw["bind"],
        "before_cursor_execute",
        lambda _c, _cur, statement, *_a: (
            selects.append(statement) if statement.lstrip().upper().startswith("SELECT") else None
        ),
    )
    result = drainer.drain_shards([shard(1), shard(2), shard(3)])
    assert len(selects) == 1
    [batch] = receiver.batches
    assert [(r.shard.shard_identifier, r.object_identifier) for r in batch] == [
        (identifier, 100 * identifier + n) for identifier in (1, 2, 3) for n in range(3)
    ]
    assert result.delivered == 9
    second = drainer.drain_shards([shard(1), shard(2), shard(3)])
    assert second.delivered == 3
    assert [r.object_identifier for r in receiver.batches[1]] == [103, 203, 303]


def test_a_shard_waiting_for_its_retry_is_left_alone(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    write(sessions, clock, OutboxMessage(ORG, 1, 1), OutboxMessage(ORG, 2, 2))
    with sessions() as session:
        session.execute(
            update(ScratchOutbox)
            .where(ScratchOutbox.shard_identifier == 1)
            .values(scheduled_for=clock.now + timedelta(seconds=5))
        )
        session.commit()
    receiver = Receiver()
    drainer = OutboxDrainer(sessions, ScratchOutbox, receiver, per_region=False, clock=clock)
    assert drainer.drain_shards([shard(1), shard(2)]).delivered == 1
    assert [r.shard.shard_identifier for r in receiver.batches[0]] == [2]
    clock.now += timedelta(seconds=5)
    assert drainer.drain_shards([shard(1), shard(2)]).delivered == 1
    assert [r.shard.shard_identifier for r in receiver.batches[1]] == [1]
