"""Control outbox messages reach a region in batches over gRPC: one call per region and drain
pass, one result per message, and a message that fails holds back only its own shard."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import ControlOutboxRow
from control_silo.outbox.delivery import RegionDelivery
from region_silo.bootstrap import RegionSilo
from region_silo.db.models import OrganizationSlugReservationReplicaRow
from shared.cache.keys import user_cache_keys
from shared.outbox.drainer import OutboxDrainer
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer
from shared.services.control_outbox.model import (
    ControlOutboxMessage,
    RegionUserInvalidation,
    RegionUserState,
    SlugReservationRemoval,
)
from shared.services.control_outbox.service import ControlOutboxService
from shared.services.organization.service import OrganizationService
from shared.services.region_directory import RegionDirectory
from shared.services.region_outbox.model import DeliveryOutcome, MessageResult
from shared.services.registry import remote
from shared.services.user.model import User
from tests.conftest import TEST_SECRET
from tests.region.messages import reservation_message


class CountingDirectory(RegionDirectory):
    """The test's region directory, counting the messages of each batch call."""

    def __init__(self, inner: RegionDirectory) -> None:
        self.inner = inner
        self.calls: list[int] = []

    def service(self, interface: type[Any], region_name: str) -> Any:
        if interface is not ControlOutboxService:
            return self.inner.service(interface, region_name)
        client = self.inner.service(ControlOutboxService, region_name)
        calls = self.calls

        class Counting(ControlOutboxService):
            def deliver_outbox_batch(
                self, *, messages: Sequence[ControlOutboxMessage]
            ) -> list[MessageResult]:
                calls.append(len(messages))
                return client.deliver_outbox_batch(messages=messages)

        return Counting()


def replicas(region: RegionSilo) -> list[str]:
    with region.sessions() as session:
        return list(
            session.scalars(
                select(OrganizationSlugReservationReplicaRow.slug).order_by(
                    OrganizationSlugReservationReplicaRow.slug
                )
            )
        )


def test_a_pass_sends_each_regions_messages_in_one_call(
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    make_control_user: Callable[..., User],
    directory: RegionDirectory,
) -> None:
    owner = make_control_user("control-batch-owner")
    organizations = region_silo.services.get(OrganizationService)
    for n in range(3):
        organizations.create_organization(
            slug=f"control-batch-{n}", name="C", owner_user_id=owner.id
        )
    counting = CountingDirectory(directory)
    drainer = OutboxDrainer(
        control_silo.sessions,
        ControlOutboxRow,
        RegionDelivery(control_silo.sessions, counting, control_silo.outbox),
        per_region=True,
    )
    assert drainer.drain_due() == 3
    assert counting.calls == [3]
    assert replicas(region_silo) == ["control-batch-0", "control-batch-1", "control-batch-2"]
    with control_silo.sessions() as session:
        assert session.scalars(select(ControlOutboxRow.id)).all() == []


@pytest.fixture
def receiver(region_server: RunningServer) -> ControlOutboxService:
    """DeliverOutboxBatch through the region's gRPC server."""
    channel = open_channel(f"127.0.0.1:{region_server.port}", secret=TEST_SECRET)
    return remote(ControlOutboxService, channel)


def test_each_message_gets_its_result_in_order(
    region_silo: RegionSilo, receiver: ControlOutboxService
) -> None:
    versions = region_silo.cache._versions
    before = versions.versions(user_cache_keys(41))

    results = receiver.deliver_outbox_batch(
        messages=[
            reservation_message(1, "first"),
            ControlOutboxMessage(2),  # names no change: fails
            reservation_message(2, "second"),  # skipped: after a failure of its shard
            ControlOutboxMessage(41, user_invalidated=RegionUserInvalidation(41)),
            ControlOutboxMessage(
                3, user=RegionUserState(41, is_active=True, email="x@example.com")
            ),
        ]
    )
    assert [r.outcome for r in results] == [
        DeliveryOutcome.APPLIED,
        DeliveryOutcome.FAILED,
        DeliveryOutcome.SKIPPED,
        DeliveryOutcome.APPLIED,
        DeliveryOutcome.APPLIED,
    ]
    assert "InvalidArgument" in results[1].error
    assert replicas(region_silo) == ["first"]
    assert versions.versions(user_cache_keys(41)) > before
    again = receiver.deliver_outbox_batch(
        messages=[
            reservation_message(1, "first"),
            ControlOutboxMessage(1, reservation_removed=SlugReservationRemoval(1)),
        ]
    )
    assert [r.outcome for r in again] == [DeliveryOutcome.APPLIED] * 2
    assert replicas(region_silo) == []
