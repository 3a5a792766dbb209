"""Contract: provisioning in the control silo, locally and over gRPC."""

from __future__ import annotations

import pytest

from shared.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from shared.services.directory import ServiceDirectory
from shared.services.organization_mapping.service import OrganizationMappingService
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.user.model import UserUpdate
from shared.services.user.service import UserService
from tests.contract.conftest import MakeUser, RowCounts


def test_provision_allocates_unique_ids_and_reserves(
    services: ServiceDirectory, make_user: MakeUser
) -> None:
    owner = make_user("owner")
    provisioning = services.get(OrganizationProvisioningService)
    first = provisioning.provision_organization(
        slug="alpha", name="Alpha", region_name="us", owner_user_id=owner.id
    )
    second = provisioning.provision_organization(
        slug="beta", name="Beta", region_name="de", owner_user_id=owner.id
    )
    assert first != second
    mapping = services.get(OrganizationMappingService).get_by_slug(slug="beta")
    assert (mapping.organization_id, mapping.region_name, mapping.verified) == (second, "de", False)
    with pytest.raises(AlreadyExists) as taken:
        provisioning.provision_organization(
            slug="alpha", name="Again", region_name="de", owner_user_id=owner.id
        )
    assert taken.value.field == "slug"


def test_provision_rejects_bad_input(
    services: ServiceDirectory, make_user: MakeUser, row_counts: RowCounts
) -> None:
    owner = make_user("owner")
    sleeper = make_user("sleeper")
    services.get(UserService).update_user(user_id=sleeper.id, update=UserUpdate(is_active=False))
    provisioning = services.get(OrganizationProvisioningService)
    before = row_counts()
    with pytest.raises(InvalidArgument) as slug:
        provisioning.provision_organization(
            slug="API", name="x", region_name="us", owner_user_id=owner.id
        )
    assert slug.value.field == "slug"
    with pytest.raises(InvalidArgument) as name:
        provisioning.provision_organization(
            slug="ok-slug", name="", region_name="us", owner_user_id=owner.id
        )
    assert name.value.field == "name"
    with pytest.raises(NotFound):
        provisioning.provision_organization(
            slug="ok-slug", name="x", region_name="us", owner_user_id=777_777
        )
    with pytest.raises(FailedPrecondition):
        provisioning.provision_organization(
            slug="ok-slug", name="x", region_name="us", owner_user_id=sleeper.id
        )
    assert row_counts() == before


def test_bulk_reservations_are_all_or_nothing(
    services: ServiceDirectory, make_user: MakeUser, row_counts: RowCounts
) -> None:
    owner = make_user("owner")
    provisioning = services.get(OrganizationProvisioningService)
    provisioning.provision_organization(
        slug="existing", name="E", region_name="us", owner_user_id=owner.id
    )
    provisioning.bulk_create_organization_slug_reservations(
        region_name="de", slug_mapping={9001: "imported-one", 9002: "imported-two"}
    )
    before = row_counts()
    with pytest.raises(AlreadyExists) as clash:
        provisioning.bulk_create_organization_slug_reservations(
            region_name="de", slug_mapping={9003: "imported-three", 9004: "existing"}
        )
    assert clash.value.field == "slug_mapping"
    with pytest.raises(InvalidArgument):
        provisioning.bulk_create_organization_slug_reservations(
            region_name="de", slug_mapping={9005: "Bad Slug"}
        )
    assert row_counts() == before
