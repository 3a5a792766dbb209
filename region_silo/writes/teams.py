"""Teams of organizations and the members on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select

from region_silo.db.models import OrganizationMemberRow, OrganizationMemberTeamRow, TeamRow
from region_silo.writes import require_organizations
from shared.db.bulk import batches
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists, NotFound


@dataclass(frozen=True)
class NewTeam:
    """A team to create; slugs are unique within the organization."""

    organization_id: int
    slug: str
    name: str


@dataclass(frozen=True)
class TeamMembership:
    """A member of an organization on a team of the same organization."""

    organization_id: int
    team_id: int
    member_id: int


def create_teams(uow: UnitOfWork, teams: Sequence[NewTeam]) -> list[TeamRow]:
    """Inserts the teams and returns their rows in the order given.

    :raises NotFound: an organization does not exist (field ``organization_id``).
    :raises AlreadyExists: its organization has the slug already, or it is given twice (field
        ``slug``).
    """
    if not teams:
        return []
    session = uow.session
    require_organizations(session, [team.organization_id for team in teams])
    present: set[tuple[int, str]] = set()
    for batch in batches(teams):
        query = select(TeamRow.organization_id, TeamRow.slug).where(
            TeamRow.organization_id.in_({team.organization_id for team in batch}),
            TeamRow.slug.in_({team.slug for team in batch}),
        )
        present.update((organization_id, slug) for organization_id, slug in session.execute(query))
    for team in teams:
        if (team.organization_id, team.slug) in present:
            raise AlreadyExists(
                f"organization {team.organization_id} has a team {team.slug!r} already",
                field="slug",
            )
        present.add((team.organization_id, team.slug))
    by_key: dict[tuple[int, str], TeamRow] = {}
    for batch in batches(teams):
        for row in session.scalars(
            insert(TeamRow).returning(TeamRow),
            [{"organization_id": t.organization_id, "slug": t.slug, "name": t.name} for t in batch],
        ):
            by_key[(row.organization_id, row.slug)] = row
    return [by_key[(team.organization_id, team.slug)] for team in teams]


def add_team_members(uow: UnitOfWork, memberships: Sequence[TeamMembership]) -> int:
    """Puts each member on its team unless it is on it already; returns how many were new.

    :raises NotFound: a team (field ``team_id``) or a member (field ``member_id``) is not one of
        the organization's.
    """
    if not memberships:
        return 0
    session = uow.session
    team_orgs: dict[int, int] = {}
    member_orgs: dict[int, int] = {}
    held: set[tuple[int, int]] = set()
    for batch in batches(memberships):
        team_ids = {link.team_id for link in batch}
        member_ids = {link.member_id for link in batch}
        teams = select(TeamRow.id, TeamRow.organization_id).where(TeamRow.id.in_(team_ids))
        team_orgs.update((id_, org) for id_, org in session.execute(teams))
        members = select(OrganizationMemberRow.id, OrganizationMemberRow.organization_id)
        member_orgs.update(
            (id_, org)
            for id_, org in session.execute(members.where(OrganizationMemberRow.id.in_(member_ids)))
        )
        links = select(
            OrganizationMemberTeamRow.team_id, OrganizationMemberTeamRow.organizationmember_id
        ).where(
            OrganizationMemberTeamRow.team_id.in_(team_ids),
            OrganizationMemberTeamRow.organizationmember_id.in_(member_ids),
        )
        held.update((team_id, member_id) for team_id, member_id in session.execute(links))
    for link in memberships:
        if team_orgs.get(link.team_id) != link.organization_id:
            raise NotFound(
                f"organization {link.organization_id} has no team {link.team_id}", field="team_id"
            )
        if member_orgs.get(link.member_id) != link.organization_id:
            raise NotFound(
                f"organization {link.organization_id} has no member {link.member_id}",
                field="member_id",
            )
    new = list(dict.fromkeys((link.team_id, link.member_id) for link in memberships))
    new = [pair for pair in new if pair not in held]
    for pairs in batches(new):
        session.execute(
            insert(OrganizationMemberTeamRow),
            [
                {"team_id": team_id, "organizationmember_id": member_id}
                for team_id, member_id in pairs
            ],
        )
    return len(new)
