"""Provisioning leaves no orphan reservation: released on failure, reconciled after a crash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import OrganizationMappingRow, OrganizationSlugReservationRow
from control_silo.services.reconciliation import ProvisioningReconciler
from region_silo.bootstrap import RegionSilo
from region_silo.db.models import OrganizationRow
from shared.db.types import utcnow
from shared.errors import AlreadyExists
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer
from shared.services.organization.service import OrganizationService
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.region_directory import RegionDirectory
from tests.conftest import TEST_SECRET
from tests.region.conftest import REGION


def reservations(control: ControlSilo) -> dict[str, int]:
    with control.sessions() as session:
        query = select(
            OrganizationSlugReservationRow.slug, OrganizationSlugReservationRow.organization_id
        )
        return {slug: organization_id for slug, organization_id in session.execute(query)}


def test_a_failed_region_write_releases_the_reservation(
    organization_service: OrganizationService,
    make_control_user: object,
    control_silo: ControlSilo,
    region_silo: RegionSilo,
) -> None:
    owner = make_control_user("owner")  # type: ignore[operator]
    # A row the control silo does not know about makes the region's insert fail after the
    # control silo has already reserved the slug.
    with region_silo.sessions.begin() as session:
        session.add(OrganizationRow(id=900_001, slug="ghost", name="Ghost"))
    with pytest.raises(AlreadyExists):
        organization_service.create_organization(slug="ghost", name="G", owner_user_id=owner.id)
    assert reservations(control_silo) == {}
    with control_silo.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OrganizationMappingRow)) == 0


def test_reconciliation_releases_what_the_region_never_created(
    make_control_user: object,
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    region_server: RunningServer,
) -> None:
    owner = make_control_user("owner")  # type: ignore[operator]
    provisioning = control_silo.services.get(OrganizationProvisioningService)
    # A region that crashed after provisioning: the control half exists, the region half not.
    orphan = provisioning.provision_organization(
        slug="orphan", name="Orphan", region_name=REGION, owner_user_id=owner.id
    )
    created = region_silo.services.get(OrganizationService).create_organization(
        slug="kept", name="Kept", owner_user_id=owner.id
    )
    directory = RegionDirectory(
        {REGION: f"127.0.0.1:{region_server.port}"},
        lambda address: open_channel(address, secret=TEST_SECRET),
    )
    reconciler = ProvisioningReconciler(
        control_silo.sessions,
        directory,
        control_silo.mapping_service,
        grace=timedelta(minutes=5),
        clock=lambda: utcnow() + timedelta(minutes=10),
    )
    result = reconciler.run_once()
    directory.close()
    assert result.released == [orphan]
    assert result.verified == [created.id]
    assert reservations(control_silo) == {"kept": created.id}
    with control_silo.sessions() as session:
        assert session.scalars(select(OrganizationMappingRow.verified)).all() == [True]


def test_young_reservations_are_left_alone(
    make_control_user: object, control_silo: ControlSilo, region_server: RunningServer
) -> None:
    owner = make_control_user("owner")  # type: ignore[operator]
    control_silo.services.get(OrganizationProvisioningService).provision_organization(
        slug="in-flight", name="In flight", region_name=REGION, owner_user_id=owner.id
    )
    directory = RegionDirectory(
        {REGION: f"127.0.0.1:{region_server.port}"},
        lambda address: open_channel(address, secret=TEST_SECRET),
    )
    result = ProvisioningReconciler(
        control_silo.sessions, directory, control_silo.mapping_service
    ).run_once()
    directory.close()
    assert (result.released, result.verified) == ([], [])
    assert list(reservations(control_silo)) == ["in-flight"]
