"""Region outbox messages reach the control silo in batches over gRPC: one call per drain pass,
one result per message, and a message that fails holds back only its own shard."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from region_silo.bootstrap import RegionSilo
from region_silo.db.models import RegionOutboxRow
from region_silo.outbox.delivery import ControlDelivery
from shared.errors import InvalidArgument
from shared.outbox.categories import OutboxCategory
from shared.outbox.drainer import OutboxDrainer
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer
from shared.services.organization.model import MemberRole
from shared.services.organization.service import OrganizationService
from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMappingUpdate,
)
from shared.services.organization_mapping.service import (
    OrganizationMappingService,
    OrganizationMemberMappingService,
)
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.region_outbox.model import (
    DeliveryOutcome,
    MemberRemoval,
    MessageResult,
    RegionOutboxMessage,
)
from shared.services.region_outbox.service import RegionOutboxService
from shared.services.registry import remote
from shared.services.user.model import User
from shared.services.user.service import UserService
from tests.conftest import TEST_SECRET
from tests.region.conftest import REGION


class CountingReceiver(RegionOutboxService):
    """Passes batches on to the control silo and remembers their sizes."""

    def __init__(self, receiver: RegionOutboxService) -> None:
        self.receiver = receiver
        self.calls: list[int] = []

    def deliver_outbox_batch(
        self, *, region_name: str, messages: Sequence[RegionOutboxMessage]
    ) -> list[MessageResult]:
        self.calls.append(len(messages))
        return self.receiver.deliver_outbox_batch(region_name=region_name, messages=messages)


def drainer_of(region: RegionSilo, receiver: RegionOutboxService) -> OutboxDrainer:
    return OutboxDrainer(
        region.sessions,
        RegionOutboxRow,
        ControlDelivery(region.sessions, REGION, receiver),
        per_region=False,
        base_backoff_seconds=0,
    )


def waiting(region: RegionSilo) -> list[tuple[OutboxCategory, int]]:
    with region.sessions() as session:
        rows = session.execute(
            select(RegionOutboxRow.category, RegionOutboxRow.object_identifier).order_by(
                RegionOutboxRow.id
            )
        ).all()
    return [(OutboxCategory(category), identifier) for category, identifier in rows]


def test_a_pass_sends_every_shard_in_one_call(
    control_silo: ControlSilo, region_silo: RegionSilo, make_control_user: Callable[..., User]
) -> None:
    owner = make_control_user("batch-owner")
    organizations = region_silo.services.get(OrganizationService)
    created = [
        organizations.create_organization(slug=f"batch-{n}", name="B", owner_user_id=owner.id)
        for n in range(3)
    ]
    receiver = CountingReceiver(region_silo.services.get(RegionOutboxService))
    assert drainer_of(region_silo, receiver).drain_due() == 6  # an organization and its owner
    assert receiver.calls == [6]
    assert waiting(region_silo) == []
    summaries = control_silo.services.get(UserService).get_organizations(user_id=owner.id)
    assert sorted(s.organization_id for s in summaries) == sorted(o.id for o in created)
    mappings = control_silo.services.get(OrganizationMappingService)
    assert all(mappings.get(organization_id=o.id).verified for o in created)


def test_a_removed_member_is_delivered_as_a_removal(
    control_silo: ControlSilo, region_silo: RegionSilo, make_control_user: Callable[..., User]
) -> None:
    owner, other = make_control_user("removal-owner"), make_control_user("removal-other")
    organizations = region_silo.services.get(OrganizationService)
    organization = organizations.create_organization(
        slug="removals", name="R", owner_user_id=owner.id
    )
    member = organizations.add_organization_member(
        organization_id=organization.id, user_id=other.id, role=MemberRole.MEMBER
    )
    receiver = CountingReceiver(region_silo.services.get(RegionOutboxService))
    drainer = drainer_of(region_silo, receiver)
    drainer.drain_due()
    users = control_silo.services.get(UserService)
    assert [s.organization_id for s in users.get_organizations(user_id=other.id)] == [
        organization.id
    ]
    organizations.delete_organization_member(organization_id=organization.id, member_id=member.id)
    assert drainer.drain_due() == 1
    assert users.get_organizations(user_id=other.id) == []
    assert receiver.calls == [3, 1]


def test_a_failed_message_holds_back_only_its_shard(
    control_silo: ControlSilo, region_silo: RegionSilo, make_control_user: Callable[..., User]
) -> None:
    owner = make_control_user("partial-owner")
    organizations = region_silo.services.get(OrganizationService)
    blocked = organizations.create_organization(slug="blocked", name="B", owner_user_id=owner.id)
    free = organizations.create_organization(slug="free", name="F", owner_user_id=owner.id)
    # Another membership of the same user in the control silo's mirror: the owner's membership
    # of "blocked" cannot be recorded until it goes.
    member_mappings = control_silo.services.get(OrganizationMemberMappingService)
    member_mappings.upsert_member(
        update=MemberMappingUpdate(
            organization_id=blocked.id,
            organizationmember_id=999_999,
            user_id=owner.id,
            email="",
            role="member",
            inviter_id=None,
            version=1,
        )
    )
    receiver = CountingReceiver(region_silo.services.get(RegionOutboxService))
    drainer = drainer_of(region_silo, receiver)
    assert drainer.drain_due() == 3
    assert receiver.calls == [4]
    [(category, _member)] = waiting(region_silo)
    assert category is OutboxCategory.ORGANIZATION_MEMBER_UPDATE
    mappings = control_silo.services.get(OrganizationMappingService)
    assert mappings.get(organization_id=blocked.id).verified
    assert mappings.get(organization_id=free.id).verified
    member_mappings.delete_member(
        organization_id=blocked.id, organizationmember_id=999_999, version=2
    )
    assert drainer.drain_due() == 1
    assert receiver.calls == [4, 1]
    assert waiting(region_silo) == []
    users = control_silo.services.get(UserService)
    assert {s.slug for s in users.get_organizations(user_id=owner.id)} == {"blocked", "free"}


@pytest.fixture
def receiver(control_server: RunningServer) -> RegionOutboxService:
    """DeliverOutboxBatch through the control silo's gRPC server."""
    channel = open_channel(f"127.0.0.1:{control_server.port}", secret=TEST_SECRET)
    return remote(RegionOutboxService, channel)


def test_each_message_gets_its_result_in_order(
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    make_control_user: Callable[..., User],
    receiver: RegionOutboxService,
) -> None:
    owner = make_control_user("results-owner")
    provisioning = control_silo.services.get(OrganizationProvisioningService)
    first = provisioning.provision_organization(
        slug="results-a", name="A", region_name=REGION, owner_user_id=owner.id
    )
    second = provisioning.provision_organization(
        slug="results-b", name="B", region_name=REGION, owner_user_id=owner.id
    )

    def organization(organization_id: int, slug: str, version: int) -> RegionOutboxMessage:
        return RegionOutboxMessage(
            organization_id,
            organization=OrganizationMappingUpdate(
                organization_id=organization_id,
                slug=slug,
                name="Renamed",
                region_name=REGION,
                status=0,
                version=version,
            ),
        )

    def member(organization_id: int, member_id: int, version: int) -> RegionOutboxMessage:
        return RegionOutboxMessage(
            organization_id,
            member=MemberMappingUpdate(
                organization_id=organization_id,
                organizationmember_id=member_id,
                user_id=owner.id,
                email="",
                role="owner",
                inviter_id=None,
                version=version,
            ),
        )

    results = receiver.deliver_outbox_batch(
        region_name=REGION,
        messages=[
            organization(first, "results-a", 10),
            member(second, 20, 11),
            member(second, 21, 12),  # the same user again: fails
            organization(second, "results-b", 13),  # skipped: after a failure of its shard
            organization(first, "results-a", 9),  # older than what is recorded: ignored
            RegionOutboxMessage(first),  # names no change: fails
            member(first, 30, 14),
        ],
    )
    assert [r.outcome for r in results] == [
        DeliveryOutcome.APPLIED,
        DeliveryOutcome.APPLIED,
        DeliveryOutcome.FAILED,
        DeliveryOutcome.SKIPPED,
        DeliveryOutcome.IGNORED,
        DeliveryOutcome.FAILED,
        DeliveryOutcome.SKIPPED,
    ]
    assert "AlreadyExists" in results[2].error and "user_id" in results[2].error
    mappings = control_silo.services.get(OrganizationMappingService)
    assert mappings.get(organization_id=first).verified
    assert mappings.get(organization_id=first).name == "Renamed"
    assert not mappings.get(organization_id=second).verified
    summaries = control_silo.services.get(UserService).get_organizations(user_id=owner.id)
    assert [s.organization_id for s in summaries] == [second]
    again = receiver.deliver_outbox_batch(
        region_name=REGION,
        messages=[
            member(second, 20, 11),
            RegionOutboxMessage(
                second, member_removed=MemberRemoval(second, organizationmember_id=20, version=15)
            ),
        ],
    )
    assert [r.outcome for r in again] == [DeliveryOutcome.IGNORED, DeliveryOutcome.APPLIED]
    assert control_silo.services.get(UserService).get_organizations(user_id=owner.id) == []


def test_a_batch_names_its_region(receiver: RegionOutboxService) -> None:
    with pytest.raises(InvalidArgument, match="is required") as refused:
        receiver.deliver_outbox_batch(region_name="", messages=[])
    assert refused.value.field == "region_name"
