"""The region's replica of slug reservations follows the control silo through its outbox."""

from __future__ import annotations

from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from region_silo.bootstrap import RegionSilo
from region_silo.db.models import OrganizationSlugReservationReplicaRow
from shared.outbox.drainer import OutboxDrainer
from shared.services.organization.service import OrganizationService
from shared.services.provisioning.service import OrganizationProvisioningService
from tests.region.conftest import REGION


def replicas(region: RegionSilo) -> list[tuple[str, int, str]]:
    with region.sessions() as session:
        return [
            (row.slug, row.organization_id, row.region_name)
            for row in session.scalars(
                select(OrganizationSlugReservationReplicaRow).order_by(
                    OrganizationSlugReservationReplicaRow.slug
                )
            )
        ]


def test_replica_follows_create_rename_and_release(
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    make_control_user: object,
    control_drainer: OutboxDrainer,
) -> None:
    owner = make_control_user("owner")  # type: ignore[operator]
    organizations = region_silo.services.get(OrganizationService)
    organization = organizations.create_organization(
        slug="replicated", name="R", owner_user_id=owner.id
    )
    assert replicas(region_silo) == []
    control_drainer.drain_due()
    assert replicas(region_silo) == [("replicated", organization.id, REGION)]

    organizations.update_organization_slug(organization_id=organization.id, slug="renamed")
    control_drainer.drain_due()
    assert replicas(region_silo) == [("renamed", organization.id, REGION)]

    control_silo.mapping_service.delete(organization_id=organization.id)
    control_drainer.drain_due()
    assert replicas(region_silo) == []


def test_duplicate_and_reordered_deliveries_converge(
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    make_control_user: object,
    control_drainer: OutboxDrainer,
) -> None:
    owner = make_control_user("owner")  # type: ignore[operator]
    organizations = region_silo.services.get(OrganizationService)
    provisioning = control_silo.services.get(OrganizationProvisioningService)
    first = organizations.create_organization(slug="swap-a", name="A", owner_user_id=owner.id).id
    provisioning.update_organization_slug(organization_id=first, slug="swap-b", region_name=REGION)
    second = organizations.create_organization(slug="swap-a", name="A2", owner_user_id=owner.id).id
    control_drainer.drain_due()
    control_drainer.drain_due()
    assert replicas(region_silo) == [("swap-a", second, REGION), ("swap-b", first, REGION)]
