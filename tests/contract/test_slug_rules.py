"""Contract: organization slugs follow Sentry's pattern and reserved list, locally and over gRPC."""

from __future__ import annotations

import pytest

from shared.errors import InvalidArgument
from shared.services.directory import ServiceDirectory
from shared.services.organization_mapping.service import OrganizationMappingService
from shared.services.provisioning.service import OrganizationProvisioningService
from tests.contract.conftest import MakeUser, RowCounts


@pytest.mark.parametrize(
    "slug",
    [
        "-",
        "--",
        "-x-",
        "-x",
        "x-",
        "a--",
        "123",
        "0",
        "github-deployment-gate",
        "syntaxfm",
        "Ab",
        "acme\n",
    ],
)
def test_bad_slugs_are_refused(
    services: ServiceDirectory, make_user: MakeUser, row_counts: RowCounts, slug: str
) -> None:
    owner = make_user("owner")
    before = row_counts()
    with pytest.raises(InvalidArgument) as refused:
        services.get(OrganizationProvisioningService).provision_organization(
            slug=slug, name="N", region_name="us", owner_user_id=owner.id
        )
    assert refused.value.field == "slug"
    assert row_counts() == before


@pytest.mark.parametrize("slug", ["a", "a-b", "1a", "a1", "x--y", "9-9", "a" * 50])
def test_good_slugs_are_accepted(
    services: ServiceDirectory, make_user: MakeUser, slug: str
) -> None:
    owner = make_user("owner")
    organization_id = services.get(OrganizationProvisioningService).provision_organization(
        slug=slug, name="N", region_name="us", owner_user_id=owner.id
    )
    assert services.get(OrganizationMappingService).get_by_slug(slug=slug).organization_id == (
        organization_id
    )
