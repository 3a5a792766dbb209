"""A batch of outbox messages in which nothing fails is applied in one transaction without a
savepoint per message; one that fails is applied again message by message, with the same
results as before."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from control_silo.bootstrap import ControlSilo
from region_silo.bootstrap import RegionSilo
from shared.services.control_outbox.model import ControlOutboxMessage, SlugReservationRemoval
from shared.services.control_outbox.service import ControlOutboxService
from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMappingUpdate,
)
from shared.services.organization_mapping.service import OrganizationMappingService
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.region_outbox.model import DeliveryOutcome, RegionOutboxMessage
from shared.services.region_outbox.service import RegionOutboxService
from shared.services.user.model import User
from tests.region.conftest import REGION
from tests.region.messages import reservation_message
from tests.region.test_control_batches import replicas


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent on ``engine`` in the block, and a "COMMIT" for each commit."""
    sent: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement.split(maxsplit=1)[0].upper())

    def on_commit(_conn: Any) -> None:
        sent.append("COMMIT")

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)


def test_control_applies_a_clean_batch_in_one_transaction_without_savepoints(
    control_silo: ControlSilo, region_silo: RegionSilo, make_control_user: Callable[..., User]
) -> None:
    owner = make_control_user("whole-owner")
    provisioning = control_silo.services.get(OrganizationProvisioningService)
    ids = [
        provisioning.provision_organization(
            slug=f"whole-{n}", name="W", region_name=REGION, owner_user_id=owner.id
        )
        for n in range(3)
    ]
    messages = []
    for n, organization_id in enumerate(ids):
        messages.append(
            RegionOutboxMessage(
                organization_id,
                organization=OrganizationMappingUpdate(
                    organization_id=organization_id,
                    slug=f"whole-{n}",
                    name="Whole",
                    region_name=REGION,
                    status=0,
                    version=10 + n,
                ),
            )
        )
        messages.append(
            RegionOutboxMessage(
                organization_id,
                member=MemberMappingUpdate(
                    organization_id=organization_id,
                    organizationmember_id=100 + n,
                    user_id=owner.id,
                    email="",
                    role="owner",
                    inviter_id=None,
                    version=20 + n,
                ),
            )
        )
    receiver = control_silo.services.get(RegionOutboxService)
    with statements(control_silo.engine) as sent:
        results = receiver.deliver_outbox_batch(region_name=REGION, messages=messages)
    assert [r.outcome for r in results] == [DeliveryOutcome.APPLIED] * 6
    assert sent.count("COMMIT") == 1
    assert "SAVEPOINT" not in sent
    mappings = control_silo.services.get(OrganizationMappingService)
    assert all(mappings.get(organization_id=i).verified for i in ids)
    assert {mappings.get(organization_id=i).name for i in ids} == {"Whole"}


def test_region_applies_replica_changes_in_one_transaction(region_silo: RegionSilo) -> None:
    receiver = region_silo.services.get(ControlOutboxService)
    with statements(region_silo.engine) as sent:
        results = receiver.deliver_outbox_batch(
            messages=[reservation_message(n, f"replica-{n}") for n in (1, 2, 3)]
        )
    assert [r.outcome for r in results] == [DeliveryOutcome.APPLIED] * 3
    assert sent.count("COMMIT") == 1
    assert replicas(region_silo) == ["replica-1", "replica-2", "replica-3"]
    with statements(region_silo.engine) as sent:
        removed = receiver.deliver_outbox_batch(
            messages=[
                ControlOutboxMessage(2, reservation_removed=SlugReservationRemoval(2)),
                reservation_message(4, "replica-4"),
            ]
        )
    assert [r.outcome for r in removed] == [DeliveryOutcome.APPLIED] * 2
    assert sent.count("COMMIT") == 1
    assert replicas(region_silo) == ["replica-1", "replica-3", "replica-4"]


def test_a_failing_replica_change_holds_back_only_its_shard(region_silo: RegionSilo) -> None:
    receiver = region_silo.services.get(ControlOutboxService)
    results = receiver.deliver_outbox_batch(
        messages=[
            reservation_message(1, "kept-1"),
            reservation_message(2, "x" * 51),  # longer than the slug column: fails
            ControlOutboxMessage(2, reservation_removed=SlugReservationRemoval(2)),  # skipped
            reservation_message(3, "kept-3"),
        ]
    )
    assert [r.outcome for r in results] == [
        DeliveryOutcome.APPLIED,
        DeliveryOutcome.FAILED,
        DeliveryOutcome.SKIPPED,
        DeliveryOutcome.APPLIED,
    ]
    assert "InvalidArgument" in results[1].error
    assert replicas(region_silo) == ["kept-1", "kept-3"]
