"""Many organizations in one region unit of work, each with its owner and first team."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from region_silo.db.models import (
    OrganizationMemberRow,
    OrganizationMemberTeamRow,
    RegionOutboxRow,
    TeamRow,
)
from region_silo.writes.members import NewMember, add_members
from region_silo.writes.organizations import NewOrganization, create_organizations
from region_silo.writes.teams import TeamMembership, add_team_members
from shared.errors import AlreadyExists, NotFound
from shared.outbox.categories import OutboxCategory
from shared.services.organization.model import MemberRole
from tests.writes.conftest import Counts, NewUnitOfWork


def organization(id_: int, slug: str, owner: int = 7) -> NewOrganization:
    return NewOrganization(id_, slug, slug.title(), owner, owner_email=f"{owner}@example.com")


def test_each_organization_gets_its_owner_team_and_messages(region_uow: NewUnitOfWork) -> None:
    with region_uow() as uow:
        rows = create_organizations(
            uow, [organization(11, "north", owner=1), organization(12, "south", owner=2)]
        )
        uow.commit()
    assert [(row.id, row.slug, row.name) for row in rows] == [
        (11, "north", "North"),
        (12, "south", "South"),
    ]
    with region_uow() as uow:
        session = uow.session
        owners = session.execute(
            select(OrganizationMemberRow.organization_id, OrganizationMemberRow.user_id)
            .where(OrganizationMemberRow.role == MemberRole.OWNER.value)
            .order_by(OrganizationMemberRow.organization_id)
        ).all()
        teams = session.execute(
            select(TeamRow.organization_id, TeamRow.slug, OrganizationMemberRow.user_id)
            .join(OrganizationMemberTeamRow, OrganizationMemberTeamRow.team_id == TeamRow.id)
            .join(
                OrganizationMemberRow,
                OrganizationMemberRow.id == OrganizationMemberTeamRow.organizationmember_id,
            )
            .order_by(TeamRow.organization_id)
        ).all()
        messages = session.execute(
            select(RegionOutboxRow.shard_identifier, RegionOutboxRow.category).order_by(
                RegionOutboxRow.id
            )
        ).all()
    assert [tuple(owner) for owner in owners] == [(11, 1), (12, 2)]
    assert [tuple(team) for team in teams] == [(11, "north", 1), (12, "south", 2)]
    for organization_id in (11, 12):
        assert [category for shard, category in messages if shard == organization_id] == [
            OutboxCategory.ORGANIZATION_UPDATE,
            OutboxCategory.ORGANIZATION_MEMBER_UPDATE,
        ]


@pytest.mark.parametrize("third", ["taken", "east"])
def test_a_taken_third_slug_creates_no_organization(
    region_uow: NewUnitOfWork, region_counts: Counts, third: str
) -> None:
    with region_uow() as uow:
        create_organizations(uow, [organization(10, "taken")])
        uow.commit()
    before = region_counts()
    with pytest.raises(AlreadyExists) as clash, region_uow() as uow:
        create_organizations(
            uow, [organization(11, "east"), organization(12, "west"), organization(13, third)]
        )
        uow.commit()
    assert (clash.value.field, clash.value.message) == (
        "slug",
        f"{third!r} is taken in this region",
    )
    assert region_counts() == before


def test_team_links_need_a_team_and_a_member_of_the_organization(
    region_uow: NewUnitOfWork, region_counts: Counts
) -> None:
    with region_uow() as uow:
        create_organizations(uow, [organization(21, "red", owner=1), organization(22, "blue")])
        [red_member] = add_members(uow, [NewMember(21, MemberRole.MEMBER, user_id=5)])
        red_team, blue_team = uow.session.scalars(select(TeamRow.id).order_by(TeamRow.id)).all()
        blue_owner = uow.session.scalars(
            select(OrganizationMemberRow.id).where(OrganizationMemberRow.organization_id == 22)
        ).one()
        uow.commit()
    before = region_counts()
    for links, field in [
        (
            [
                TeamMembership(21, red_team, red_member.id),
                TeamMembership(21, blue_team, blue_owner),
            ],
            "team_id",
        ),
        (
            [TeamMembership(21, red_team, red_member.id), TeamMembership(21, red_team, blue_owner)],
            "member_id",
        ),
    ]:
        with pytest.raises(NotFound) as missing, region_uow() as uow:
            add_team_members(uow, links)
            uow.commit()
        assert missing.value.field == field
        assert region_counts() == before
    with region_uow() as uow:
        assert add_team_members(uow, [TeamMembership(21, red_team, red_member.id)] * 2) == 1
        uow.commit()
    assert region_counts()["organizationmemberteam"] == before["organizationmemberteam"] + 1


def test_an_id_the_region_holds_already_creates_nothing(
    region_uow: NewUnitOfWork, region_counts: Counts
) -> None:
    with region_uow() as uow:
        create_organizations(uow, [organization(31, "first")])
        uow.commit()
    before = region_counts()
    for organizations in (
        [organization(31, "second")],
        [organization(32, "third"), organization(31, "fourth")],
    ):
        with pytest.raises(AlreadyExists) as clash, region_uow() as uow:
            create_organizations(uow, organizations)
            uow.commit()
        assert clash.value.field == "slug"
        assert region_counts() == before


@pytest.mark.parametrize("second_owner", [7, 8])
def test_an_organization_given_twice_in_one_call_creates_nothing(
    region_uow: NewUnitOfWork, region_counts: Counts, second_owner: int
) -> None:
    before = region_counts()

    with pytest.raises(AlreadyExists) as clash, region_uow() as uow:
        create_organizations(
            uow, [organization(41, "twice"), organization(41, "twice", owner=second_owner)]
        )
        uow.commit()

    assert (clash.value.field, clash.value.message) == ("slug", "'twice' is taken in this region")
    assert region_counts() == before
