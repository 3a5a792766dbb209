"""Domain values for region rows."""

from __future__ import annotations

from region_silo.db.models import OrganizationMemberRow, OrganizationRow, TeamRow
from shared.db.rows import from_row
from shared.services.organization.model import Organization, OrganizationMember, Team
from shared.services.user.model import User


def to_organization(row: OrganizationRow) -> Organization:
    """The domain organization of a row."""
    return from_row(Organization, row)


def to_member(row: OrganizationMemberRow, user: User | None = None) -> OrganizationMember:
    """The domain membership of a row, with its user when given."""
    return from_row(
        OrganizationMember, row, email=row.email or "", user_email=row.user_email or "", user=user
    )


def to_team(row: TeamRow) -> Team:
    """The domain team of a row."""
    return from_row(Team, row)
