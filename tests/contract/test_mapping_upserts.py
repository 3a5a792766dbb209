"""Contract: a region's mapping upsert is recorded only when the control silo holds a reservation
of that slug, in that region, for that organization (as Sentry checks); otherwise it is skipped."""

from __future__ import annotations

import pytest

from shared.errors import AlreadyExists, NotFound
from shared.services.directory import ServiceDirectory
from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMappingUpdate,
)
from shared.services.organization_mapping.service import (
    OrganizationMappingService,
    OrganizationMemberMappingService,
)
from shared.services.provisioning.service import OrganizationProvisioningService
from tests.contract.conftest import MakeUser, RowCounts


def update(organization_id: int, slug: str, region: str, version: int) -> OrganizationMappingUpdate:
    return OrganizationMappingUpdate(
        organization_id=organization_id,
        slug=slug,
        name="Alpha",
        region_name=region,
        status=0,
        version=version,
    )


def test_upserts_need_a_matching_reservation(
    services: ServiceDirectory, make_user: MakeUser, row_counts: RowCounts
) -> None:
    owner = make_user("owner")
    organization_id = services.get(OrganizationProvisioningService).provision_organization(
        slug="alpha", name="Alpha", region_name="us", owner_user_id=owner.id
    )
    services.get(OrganizationProvisioningService).provision_organization(
        slug="beta", name="Beta", region_name="us", owner_user_id=owner.id
    )
    mappings = services.get(OrganizationMappingService)
    before = row_counts()
    # Another organization's slug, an unreserved slug, the wrong region: skipped.
    assert mappings.upsert(update=update(organization_id, "beta", "us", 1)) is False
    assert mappings.upsert(update=update(organization_id, "gamma", "us", 2)) is False
    assert mappings.upsert(update=update(organization_id, "alpha", "de", 3)) is False
    # No reservation at all: no mapping is made.
    assert mappings.upsert(update=update(424_242, "delta", "us", 4)) is False
    assert row_counts() == before
    with pytest.raises(NotFound):
        mappings.get(organization_id=424_242)
    assert mappings.get(organization_id=organization_id).slug == "alpha"
    assert mappings.get(organization_id=organization_id).verified is False

    assert mappings.upsert(update=update(organization_id, "alpha", "us", 5)) is True
    recorded = mappings.get(organization_id=organization_id)
    assert (recorded.slug, recorded.region_name, recorded.verified) == ("alpha", "us", True)


def member(
    member_id: int, email: str, version: int, user_id: int | None = None
) -> MemberMappingUpdate:
    return MemberMappingUpdate(
        organization_id=7,
        organizationmember_id=member_id,
        user_id=user_id,
        email=email,
        role="member",
        inviter_id=None,
        version=version,
    )


def test_a_member_mapping_whose_email_another_member_holds_already_exists(
    services: ServiceDirectory, row_counts: RowCounts
) -> None:
    members = services.get(OrganizationMemberMappingService)
    assert members.upsert_member(update=member(1, "invite@example.com", 1)) is True
    before = row_counts()

    with pytest.raises(AlreadyExists) as raised:
        members.upsert_member(update=member(2, "invite@example.com", 2))

    assert raised.value.field == "email"
    assert row_counts() == before
