"""Domain values for region rows."""

from __future__ import annotations

from region_silo.db.models import OrganizationMemberRow, OrganizationRow, TeamRow
from shared.services.organization.model import (
    MemberRole,
    Organization,
    OrganizationMember,
    OrganizationStatus,
    Team,
)
from shared.services.user.model import User


def to_organization(row: OrganizationRow) -> Organization:
    """The domain organization of a row."""
    return Organization(
        id=row.id,
        slug=row.slug,
        name=row.name,
        status=OrganizationStatus(row.status),
        default_role=MemberRole(row.default_role),
        date_added=row.date_added,
        is_test=row.is_test,
        flags=row.flags,
    )


def to_member(row: OrganizationMemberRow, user: User | None = None) -> OrganizationMember:
    """The domain membership of a row, with its user when given."""
    return OrganizationMember(
        id=row.id,
        organization_id=row.organization_id,
        user_id=row.user_id,
        email=row.email or "",
        role=MemberRole(row.role),
        user_is_active=row.user_is_active,
        user_email=row.user_email or "",
        inviter_id=row.inviter_id,
        date_added=row.date_added,
        user=user,
    )


def to_team(row: TeamRow) -> Team:
    """The domain team of a row."""
    return Team(id=row.id, organization_id=row.organization_id, slug=row.slug, name=row.name)
