"""Delivery tables: each silo's outbox categories have one handler each, checked when built."""

from __future__ import annotations

import pytest

from control_silo.outbox import delivery as control_delivery
from control_silo.outbox import messages as control_messages
from region_silo.outbox import delivery as region_delivery
from region_silo.outbox import messages as region_messages
from shared.outbox.categories import RETIRED_CATEGORY_NUMBERS, OutboxCategory
from shared.outbox.drainer import OutboxRecord
from shared.outbox.handlers import Handler, HandlerTable
from shared.outbox.model import ShardKey

USER = OutboxCategory.USER_UPDATE
AUTH = OutboxCategory.AUTH_IDENTITY_UPDATE
ORG = OutboxCategory.ORGANIZATION_UPDATE


def record(category: OutboxCategory) -> OutboxRecord:
    return OutboxRecord(1, category, ShardKey("", 1, 7), 7, None)


def noting(seen: list[str], name: str) -> Handler[object, None]:
    return lambda _delivery, record: seen.append(f"{name}:{record.object_identifier}")


def test_the_handler_of_the_category_delivers() -> None:
    seen: list[str] = []
    table: HandlerTable[object, None] = HandlerTable(
        "test",
        carries=[USER, AUTH],
        handlers=[(USER, noting(seen, "user")), (AUTH, noting(seen, "auth"))],
    )
    table.deliver(object(), record(AUTH))
    table.deliver(object(), record(USER))
    assert seen == ["auth:7", "user:7"]
    with pytest.raises(ValueError, match="the test outbox does not carry ORGANIZATION_UPDATE"):
        table.deliver(object(), record(ORG))


@pytest.mark.parametrize(
    ("carries", "handled", "problem"),
    [
        ([USER, AUTH], [USER], "has no handler for AUTH_IDENTITY_UPDATE"),
        ([USER], [USER, ORG], "handles ORGANIZATION_UPDATE, which its outbox never carries"),
        ([USER], [USER, USER], "has two handlers for USER_UPDATE"),
    ],
)
def test_a_table_that_does_not_match_the_outbox_is_refused(
    carries: list[OutboxCategory], handled: list[OutboxCategory], problem: str
) -> None:
    with pytest.raises(RuntimeError, match=problem):
        HandlerTable("test", carries=carries, handlers=[(c, noting([], "x")) for c in handled])


def test_each_silo_handles_what_it_writes_and_the_two_split_the_categories() -> None:
    control, region = control_messages.CARRIED, region_messages.CARRIED
    assert control_delivery.HANDLERS.silo == "control"
    assert region_delivery.HANDLERS.silo == "region"
    assert not control & region
    assert control | region == set(OutboxCategory)


def test_retired_numbers_stay_retired() -> None:
    assert 5 in RETIRED_CATEGORY_NUMBERS
    assert not {category.value for category in OutboxCategory} & RETIRED_CATEGORY_NUMBERS.keys()
