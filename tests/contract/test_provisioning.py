"""Contract: provisioning in the control silo, locally and over gRPC."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import OrganizationSlugReservationRow
from shared import slugs
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


def test_bulk_reservations_never_fail_on_a_collision(
    services: ServiceDirectory, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    owner = make_user("owner")
    provisioning = services.get(OrganizationProvisioningService)
    provisioning.provision_organization(
        slug="existing", name="E", region_name="us", owner_user_id=owner.id
    )
    got = provisioning.bulk_create_organization_slug_reservations(
        region_name="de",
        slug_mapping={
            9001: "imported-one",
            9002: "existing",
            9003: "api",
            9004: "",
            9005: "Bad Slug",
            9006: "imported-one",
        },
    )
    assert set(got) == {9001, 9002, 9003, 9004, 9005, 9006}
    assert got[9001] == "imported-one"
    assert re.fullmatch(r"existing-[a-z0-9]+", got[9002]), got
    assert re.fullmatch(r"[0-9a-f]{12}", got[9003]), got
    assert re.fullmatch(r"[0-9a-f]{12}", got[9004]), got
    assert got[9005] == "bad-slug"
    assert re.fullmatch(r"imported-one-[a-z0-9]+", got[9006]), got
    assert len(set(got.values())) == len(got)
    for slug in got.values():
        slugs.organization_slug(slug)
    expected: dict[int | str, str | None] = {"existing": None}
    expected.update(got.items())
    assert reserved(control_silo) == expected
    # A replay answers the slugs already reserved and reserves nothing more.
    again = provisioning.bulk_create_organization_slug_reservations(
        region_name="de", slug_mapping={9001: "imported-one", 9002: "existing"}
    )
    assert again == {9001: got[9001], 9002: got[9002]}
    assert reserved(control_silo) == expected


def reserved(control: ControlSilo) -> dict[int | str, str | None]:
    """Organization id -> slug of each primary reservation in region de, and the slugs of us."""
    with control.sessions() as session:
        rows = session.execute(
            select(
                OrganizationSlugReservationRow.organization_id,
                OrganizationSlugReservationRow.slug,
                OrganizationSlugReservationRow.region_name,
                OrganizationSlugReservationRow.reservation_type,
            )
        ).all()
    result: dict[int | str, str | None] = {}
    for organization_id, slug, region_name, reservation_type in rows:
        assert reservation_type == 0
        if region_name == "de":
            result[organization_id] = slug
        else:
            result[slug] = None
    return result


def test_bulk_reservations_reject_bad_input(
    services: ServiceDirectory, row_counts: RowCounts
) -> None:
    provisioning = services.get(OrganizationProvisioningService)
    before = row_counts()
    with pytest.raises(InvalidArgument) as region:
        provisioning.bulk_create_organization_slug_reservations(
            region_name="", slug_mapping={9001: "fine"}
        )
    assert region.value.field == "region_name"
    with pytest.raises(InvalidArgument) as ids:
        provisioning.bulk_create_organization_slug_reservations(
            region_name="de", slug_mapping={0: "fine"}
        )
    assert ids.value.field == "slug_mapping"
    assert row_counts() == before
