"""Organizations: created with their owner and first team, and renamed from the control silo's
temporary rename alias."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from region_silo.db.models import (
    OrganizationMemberRow,
    OrganizationMemberTeamRow,
    OrganizationRow,
    TeamRow,
)
from region_silo.outbox.messages import member_changed, organization_changed
from region_silo.writes.members import NewMember, member_columns
from shared.db.bulk import batches, skipping_taken
from shared.db.checks import check_value
from shared.db.rows import from_row
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists
from shared.services.organization.model import MemberRole, Organization, OrganizationStatus

_ORGANIZATIONS = cast(Table, OrganizationRow.__table__)
_MEMBERS = cast(Table, OrganizationMemberRow.__table__)
_TEAMS = cast(Table, TeamRow.__table__)
_TEAM_MEMBERS = cast(Table, OrganizationMemberTeamRow.__table__)

# Built once: a creation binds values only.
_INSERT_NEW = skipping_taken(_ORGANIZATIONS, _ORGANIZATIONS.c.slug, *_ORGANIZATIONS.c)
_INSERT_OWNERS = insert(_MEMBERS).returning(_MEMBERS.c.id, _MEMBERS.c.organization_id)
_INSERT_TEAMS = insert(_TEAMS).returning(_TEAMS.c.id, _TEAMS.c.organization_id)
_INSERT_TEAM_MEMBERS = insert(_TEAM_MEMBERS)


@dataclass(frozen=True)
class NewOrganization:
    """An organization whose id and slug the control silo provisioned, and its owner (with
    copies of the owner's active flag and primary email)."""

    id: int
    slug: str
    name: str
    owner_user_id: int
    owner_email: str
    owner_is_active: bool = True
    default_role: MemberRole = MemberRole.MEMBER


def create_organizations(
    uow: UnitOfWork, organizations: Sequence[NewOrganization]
) -> list[Organization]:
    """Inserts the organizations, active, each with its owner as an owner-role member on a team
    named like it; tells the control silo of the organization, then of the owner. Returns the
    organizations in the order given.

    :raises AlreadyExists: a slug is taken in this region, or given twice (field ``slug``).
    """
    if not organizations:
        return []
    _check(organizations)
    session = uow.session
    connection = session.connection()
    # A taken slug (or one given twice) is skipped by the insert, not refused: no lookup before
    # it. One organization needs no savepoint either, as nothing was written when it is skipped.
    insert_new = _INSERT_NEW[connection.dialect.name]
    by_id: dict[int, Organization] = {}
    try:
        with session.begin_nested() if len(organizations) > 1 else nullcontext():
            for batch in batches(organizations):
                for row in connection.execute(
                    insert_new,
                    [
                        {
                            "id": organization.id,
                            "slug": organization.slug,
                            "name": organization.name,
                            "status": int(OrganizationStatus.ACTIVE),
                            "default_role": organization.default_role.value,
                        }
                        for organization in batch
                    ],
                ):
                    by_id[row.id] = from_row(Organization, row)
            # Each organization needs a row of its own: one given twice got a single row.
            created: set[int] = set()
            for organization in organizations:
                if organization.id not in by_id or organization.id in created:
                    raise _taken(organization.slug)
                created.add(organization.id)
    except IntegrityError:
        # Not a slug (those are skipped): an id the region holds already.
        raise _taken(organizations[0].slug) from None
    for organization in organizations:
        uow.add_outbox(organization_changed(organization.id))
    _add_owners_and_teams(uow, connection, organizations)
    return [by_id[organization.id] for organization in organizations]


def _check(organizations: Sequence[NewOrganization]) -> None:
    """The checks of written strings the session would make (``shared.db.checks``): these
    statements run on its connection."""
    for organization in organizations:
        for table in (_ORGANIZATIONS, _TEAMS):
            check_value(table.c.slug, organization.slug, "slug")
            check_value(table.c.name, organization.name, "name")
        check_value(_MEMBERS.c.user_email, organization.owner_email, "user_email")


def _add_owners_and_teams(
    uow: UnitOfWork, connection: Connection, organizations: Sequence[NewOrganization]
) -> None:
    """Each organization's owner membership, team named like it and the owner on the team, in
    three Core INSERTs. The organizations are new in this transaction, so none of the checks of
    ``add_members``, ``create_teams`` and ``add_team_members`` could fail (no members, teams or
    team links of them exist yet)."""
    owners: dict[int, int] = {}
    teams: dict[int, int] = {}
    for batch in batches(organizations):
        owners.update(
            (organization_id, member_id)
            for member_id, organization_id in connection.execute(
                _INSERT_OWNERS,
                [
                    member_columns(
                        NewMember(
                            organization_id=organization.id,
                            role=MemberRole.OWNER,
                            user_id=organization.owner_user_id,
                            user_is_active=organization.owner_is_active,
                            user_email=organization.owner_email,
                        )
                    )
                    for organization in batch
                ],
            )
        )
        teams.update(
            (organization_id, team_id)
            for team_id, organization_id in connection.execute(
                _INSERT_TEAMS,
                [
                    {
                        "organization_id": organization.id,
                        "slug": organization.slug,
                        "name": organization.name,
                    }
                    for organization in batch
                ],
            )
        )
    for organization in organizations:
        uow.add_outbox(member_changed(organization.id, owners[organization.id]))
    for batch in batches(organizations):
        connection.execute(
            _INSERT_TEAM_MEMBERS,
            [
                {
                    "team_id": teams[organization.id],
                    "organizationmember_id": owners[organization.id],
                }
                for organization in batch
            ],
        )


def create_organization(uow: UnitOfWork, organization: NewOrganization) -> Organization:
    """The single form of ``create_organizations``."""
    return create_organizations(uow, [organization])[0]


def _taken(slug: str) -> AlreadyExists:
    return AlreadyExists(f"{slug!r} is taken in this region", field="slug")


def _first_taken(session: Session, slugs: Sequence[str]) -> str | None:
    taken: set[str] = set()
    for batch in batches(sorted(set(slugs))):
        taken.update(
            session.scalars(select(OrganizationRow.slug).where(OrganizationRow.slug.in_(batch)))
        )
    for slug in slugs:
        if slug in taken:
            return slug
        taken.add(slug)
    return None


def rename_from_reservation(uow: UnitOfWork, organization_id: int, slug: str) -> bool:
    """Gives the organization ``slug``, which the control silo holds for it as a temporary rename
    alias, and tells the control silo; True when it holds the slug now (also when it held it
    already), False when no organization has that id or another one here holds the slug."""
    session = uow.session
    row = session.get(OrganizationRow, organization_id, with_for_update=True)
    if row is None:
        return False
    if row.slug == slug:
        return True
    if _first_taken(session, [slug]) is not None:
        return False
    try:
        with session.begin_nested():
            row.slug = slug
            session.flush()
    except IntegrityError:
        return False
    uow.add_outbox(organization_changed(organization_id))
    return True
