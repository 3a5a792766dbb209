"""Batched delivery against a real database: many shards in one ``deliver`` call, one settle
transaction, coalescing, per-message failures and the order within each shard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from shared.outbox.drainer import OutboxDrainer, OutboxRecord
from shared.outbox.model import OutboxMessage
from tests.outbox.test_drainer import (
    MEMBER,
    ORG,
    Clock,
    ScratchOutbox,
    remaining,
    shard,
    write,
)


class Receiver:
    """A ``Deliver`` that records every batch and answers the ids in ``refuse`` undelivered."""

    def __init__(self, refuse: Sequence[int] = ()) -> None:
        self.batches: list[list[OutboxRecord]] = []
        self.refuse = set(refuse)

    def __call__(self, records: Sequence[OutboxRecord]) -> Mapping[int, str]:
        self.batches.append(list(records))
        return {record.id: "refused" for record in records if record.id in self.refuse}


def ids(sessions: sessionmaker[Session]) -> list[int]:
    with sessions() as session:
        return list(session.scalars(select(ScratchOutbox.id).order_by(ScratchOutbox.id)))


def commits(sessions: sessionmaker[Session]) -> list[int]:
    """Counts the transactions committed on the sessions' engine from now on."""
    counted: list[int] = []
    event.listen(sessions.kw["bind"], "commit", lambda _connection: counted.append(1))
    return counted


def test_many_shards_go_in_one_call_and_settle_in_one_transaction(
    sessions: sessionmaker[Session],
) -> None:
    clock = Clock()
    for identifier in (1, 2, 3):
        write(sessions, clock, OutboxMessage(ORG, identifier, identifier))
        write(sessions, clock, OutboxMessage(MEMBER, identifier, 10 + identifier))
    receiver = Receiver()
    drainer = OutboxDrainer(sessions, ScratchOutbox, receiver, per_region=False, clock=clock)
    committed = commits(sessions)
    assert drainer.drain_due() == 6
    assert len(receiver.batches) == 1
    assert sorted((r.shard.shard_identifier, r.object_identifier) for r in receiver.batches[0]) == [
        (1, 1),
        (1, 11),
        (2, 2),
        (2, 12),
        (3, 3),
        (3, 13),
    ]
    assert len(committed) == 1
    assert remaining(sessions) == 0


def test_a_batch_carries_the_newest_message_per_object_in_shard_order(
    sessions: sessionmaker[Session],
) -> None:
    clock = Clock()
    write(
        sessions,
        clock,
        OutboxMessage(ORG, 1, 1),
        OutboxMessage(MEMBER, 1, 10),
        OutboxMessage(ORG, 2, 2),
        OutboxMessage(ORG, 1, 1),
        OutboxMessage(MEMBER, 1, 10),
        OutboxMessage(MEMBER, 2, 20),
    )
    first, _member, _org2, newest_org, newest_member, member2 = ids(sessions)
    receiver = Receiver()
    drainer = OutboxDrainer(sessions, ScratchOutbox, receiver, per_region=False, clock=clock)
    result = drainer.drain_shards([shard(2), shard(1)])
    [batch] = receiver.batches
    by_shard: dict[int, list[int]] = {}
    for record in batch:
        by_shard.setdefault(record.shard.shard_identifier, []).append(record.id)
    assert by_shard[1] == [newest_org, newest_member]
    assert by_shard[2] == [_org2, member2]
    assert first not in [record.id for record in batch]
    assert (result.delivered, result.coalesced, result.failed) == (4, 2, False)
    assert remaining(sessions) == 0


def test_an_undelivered_message_holds_back_its_shard_only(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    write(
        sessions,
        clock,
        OutboxMessage(ORG, 1, 1),
        OutboxMessage(MEMBER, 1, 10),
        OutboxMessage(MEMBER, 1, 11),
        OutboxMessage(ORG, 2, 2),
        OutboxMessage(MEMBER, 2, 20),
    )
    org1, member10, member11, org2, _member20 = ids(sessions)
    # The receiver refuses shard 1's second message (and so, as a batch receiver must, would
    # not apply the later one of that shard): everything of shard 2 is delivered.
    receiver = Receiver(refuse=[member10, member11])
    drainer = OutboxDrainer(
        sessions,
        ScratchOutbox,
        receiver,
        per_region=False,
        clock=clock,
        base_backoff_seconds=2,
    )
    result = drainer.drain_due()
    assert result == 3  # org1, org2, member20
    assert ids(sessions) == [member10, member11]
    with sessions() as session:
        rows = session.scalars(select(ScratchOutbox)).all()
        assert {(row.scheduled_for - row.scheduled_from).total_seconds() for row in rows} == {2}
        clock.now = rows[0].scheduled_for
    receiver.refuse.clear()
    assert drainer.drain_due() == 2
    assert [r.id for r in receiver.batches[-1]] == [member10, member11]
    assert remaining(sessions) == 0
    assert org1 < org2


def test_a_receiver_that_answers_a_failure_mid_shard_keeps_the_rest(
    sessions: sessionmaker[Session],
) -> None:
    """Even when a receiver reports a shard's later message as delivered after an earlier one
    failed, the drainer keeps every message from the first failure on, so the shard's order
    holds on the next try."""
    clock = Clock()
    write(
        sessions,
        clock,
        OutboxMessage(ORG, 1, 1),
        OutboxMessage(MEMBER, 1, 10),
        OutboxMessage(MEMBER, 1, 11),
    )
    org1, member10, member11 = ids(sessions)
    receiver = Receiver(refuse=[member10])
    drainer = OutboxDrainer(sessions, ScratchOutbox, receiver, per_region=False, clock=clock)
    result = drainer.drain_shard(shard(1))
    assert (result.delivered, result.failed) == (1, True)
    assert ids(sessions) == [member10, member11]
    assert org1 not in ids(sessions)


def test_a_call_that_raises_delivers_nothing(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    write(sessions, clock, OutboxMessage(ORG, 1, 1), OutboxMessage(ORG, 2, 2))

    def down(records: Sequence[OutboxRecord]) -> Mapping[int, str]:
        raise ConnectionError("control silo unavailable")

    drainer = OutboxDrainer(sessions, ScratchOutbox, down, per_region=False, clock=clock)
    assert drainer.drain_due() == 0
    assert remaining(sessions) == 2
    assert drainer.due_shards() == []


def test_shards_per_batch_bounds_a_call(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    write(
        sessions, clock, *[OutboxMessage(ORG, identifier, identifier) for identifier in range(1, 8)]
    )
    receiver = Receiver()
    drainer = OutboxDrainer(
        sessions, ScratchOutbox, receiver, per_region=False, clock=clock, shards_per_batch=3
    )
    assert drainer.drain_due() == 7
    assert [len(batch) for batch in receiver.batches] == [3, 3, 1]


def test_a_pass_larger_than_a_call_makes_several_calls_keeping_shards_whole(
    sessions: sessionmaker[Session],
) -> None:
    clock = Clock()
    for identifier in range(1, 5):
        write(sessions, clock, *[OutboxMessage(MEMBER, identifier, n) for n in range(3)])
    receiver = Receiver()
    drainer = OutboxDrainer(
        sessions,
        ScratchOutbox,
        receiver,
        per_region=False,
        clock=clock,
        batch_size=3,
        messages_per_call=7,
    )
    assert drainer.drain_due() == 12
    assert [len(batch) for batch in receiver.batches] == [6, 6]
    for batch in receiver.batches:
        assert len({record.shard for record in batch}) == 2
    assert remaining(sessions) == 0
