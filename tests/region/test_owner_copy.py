"""Creating an organization copies its owner's primary email and active flag into the owner's
membership from what provisioning answered: the region reads no user from the control silo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from region_silo.bootstrap import RegionSilo
from region_silo.db.models import OrganizationMemberRow
from region_silo.services.organization_service import DatabaseOrganizationService
from shared.services.organization.model import MemberRole
from shared.services.organization_mapping.service import OrganizationMappingService
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.user.model import User, UserUpdate
from shared.services.user.service import UserService
from tests.region.conftest import REGION


class _NoUserReads:
    """A user service that fails every call."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"creating an organization called UserService.{name}")


def test_owner_membership_copies_what_provisioning_answered(
    region_silo: RegionSilo, control_silo: ControlSilo, make_control_user: Callable[..., User]
) -> None:
    owner = make_control_user("owner")
    control_silo.services.get(UserService).update_user(
        user_id=owner.id, update=UserUpdate(email="renamed@example.com")
    )
    service = DatabaseOrganizationService(
        region_silo.sessions,
        region_silo.outbox,
        region_name=REGION,
        users=cast(UserService, _NoUserReads()),
        provisioning=control_silo.services.get(OrganizationProvisioningService),
        mappings=control_silo.services.get(OrganizationMappingService),
    )
    organization = service.create_organization(slug="acme", name="Acme", owner_user_id=owner.id)
    with region_silo.sessions() as session:
        member = session.scalars(
            select(OrganizationMemberRow).where(
                OrganizationMemberRow.organization_id == organization.id
            )
        ).one()
    assert (member.user_id, member.role) == (owner.id, MemberRole.OWNER.value)
    assert (member.user_email, member.user_is_active) == ("renamed@example.com", True)
