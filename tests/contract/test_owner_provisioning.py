"""Contract: provisioning an organization for its owner answers the owner's primary email, and
refuses an owner that is missing or inactive, locally and over gRPC."""

from __future__ import annotations

import pytest

from shared.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from shared.services.directory import ServiceDirectory
from shared.services.organization_mapping.service import OrganizationMappingService
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.user.model import UserUpdate
from shared.services.user.service import UserService
from tests.contract.conftest import MakeUser, RowCounts


def test_answers_the_id_and_the_owners_primary_email(
    services: ServiceDirectory, make_user: MakeUser
) -> None:
    owner = make_user("owner", email="Owner@Example.com")
    provisioning = services.get(OrganizationProvisioningService)
    provisioned = provisioning.provision_organization_for_owner(
        slug="alpha", name="Alpha", region_name="us", owner_user_id=owner.id
    )
    assert provisioned.owner_email == "Owner@Example.com"
    mapping = services.get(OrganizationMappingService).get_by_slug(slug="alpha")
    assert (mapping.organization_id, mapping.region_name, mapping.verified) == (
        provisioned.organization_id,
        "us",
        False,
    )
    second = provisioning.provision_organization(
        slug="beta", name="Beta", region_name="us", owner_user_id=owner.id
    )
    assert second != provisioned.organization_id
    with pytest.raises(AlreadyExists) as taken:
        provisioning.provision_organization_for_owner(
            slug="beta", name="Again", region_name="de", owner_user_id=owner.id
        )
    assert taken.value.field == "slug"


def test_answers_the_email_the_owner_has_now(
    services: ServiceDirectory, make_user: MakeUser
) -> None:
    owner = make_user("owner", email="before@example.com")
    services.get(UserService).update_user(
        user_id=owner.id, update=UserUpdate(email="after@example.com")
    )
    provisioned = services.get(OrganizationProvisioningService).provision_organization_for_owner(
        slug="alpha", name="Alpha", region_name="us", owner_user_id=owner.id
    )
    assert provisioned.owner_email == "after@example.com"


def test_refuses_a_missing_or_inactive_owner_and_writes_nothing(
    services: ServiceDirectory, make_user: MakeUser, row_counts: RowCounts
) -> None:
    sleeper = make_user("sleeper")
    services.get(UserService).update_user(user_id=sleeper.id, update=UserUpdate(is_active=False))
    provisioning = services.get(OrganizationProvisioningService)
    before = row_counts()
    with pytest.raises(NotFound) as missing:
        provisioning.provision_organization_for_owner(
            slug="ok-slug", name="x", region_name="us", owner_user_id=777_777
        )
    assert missing.value.field == "owner_user_id"
    with pytest.raises(FailedPrecondition) as inactive:
        provisioning.provision_organization_for_owner(
            slug="ok-slug", name="x", region_name="us", owner_user_id=sleeper.id
        )
    assert inactive.value.field == "owner_user_id"
    with pytest.raises(InvalidArgument) as bad_id:
        provisioning.provision_organization_for_owner(
            slug="ok-slug", name="x", region_name="us", owner_user_id=0
        )
    assert bad_id.value.field == "owner_user_id"
    assert row_counts() == before
