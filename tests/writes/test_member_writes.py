"""Many members in one region unit of work: all or nothing, with their outbox rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from region_silo.db.models import OrganizationMemberRow, RegionOutboxRow
from region_silo.writes.members import NewMember, add_members, remove_user
from region_silo.writes.organizations import NewOrganization, create_organizations
from shared.db.types import utcnow
from shared.errors import AlreadyExists, NotFound
from shared.outbox.categories import OutboxCategory
from shared.services.organization.model import MemberRole
from tests.writes.conftest import Counts, NewUnitOfWork

ORGANIZATION = 41
OWNER = 100


@pytest.fixture
def organization(region_uow: NewUnitOfWork) -> int:
    with region_uow() as uow:
        create_organizations(
            uow,
            [NewOrganization(ORGANIZATION, "acme", "Acme", OWNER, owner_email="o@example.com")],
        )
        uow.commit()
    return ORGANIZATION


def member(user_id: int, role: MemberRole = MemberRole.MEMBER) -> NewMember:
    return NewMember(ORGANIZATION, role, user_id=user_id, user_email=f"{user_id}@example.com")


def invitation(email: str) -> NewMember:
    return NewMember(ORGANIZATION, MemberRole.MEMBER, email=email, inviter_id=OWNER)


def test_members_and_their_messages_are_written_in_one_transaction(
    region_uow: NewUnitOfWork, region_counts: Counts, organization: int
) -> None:
    before = region_counts()
    with region_uow() as uow:
        rows = add_members(
            uow, [member(101), member(102, MemberRole.ADMIN), invitation("Guest@Example.com")]
        )
        messages = uow.session.scalars(
            select(RegionOutboxRow)
            .where(RegionOutboxRow.object_identifier.in_([row.id for row in rows]))
            .order_by(RegionOutboxRow.id)
        ).all()
        assert [
            (m.category, m.shard_identifier, m.object_identifier, m.payload) for m in messages
        ] == [
            (
                OutboxCategory.ORGANIZATION_MEMBER_UPDATE,
                organization,
                row.id,
                {"organization_id": organization},
            )
            for row in rows
        ]
        assert region_counts() == before
        uow.commit()
    after = region_counts()
    assert after["organizationmember"] == before["organizationmember"] + 3
    assert after["regionoutbox"] == before["regionoutbox"] + 3
    assert [(row.user_id, row.role, row.email) for row in rows] == [
        (101, "member", None),
        (102, "admin", None),
        (None, "member", "Guest@Example.com"),
    ]
    assert rows[0].token is None and rows[2].token
    assert rows[2].token_expires_at is not None
    assert rows[2].token_expires_at > utcnow() + timedelta(days=29)


@pytest.mark.parametrize(
    ("third", "field"),
    [(member(OWNER), "user_id"), (member(101), "user_id"), (invitation("A@EXAMPLE.COM"), "email")],
)
def test_a_duplicate_third_member_rolls_back_the_first_two(
    region_uow: NewUnitOfWork,
    region_counts: Counts,
    organization: int,
    third: NewMember,
    field: str,
) -> None:
    before = region_counts()
    with pytest.raises(AlreadyExists) as duplicate, region_uow() as uow:
        add_members(uow, [member(101), invitation("a@example.com"), third])
        uow.commit()
    assert duplicate.value.field == field
    assert region_counts() == before


def test_members_of_a_missing_organization_are_not_added(
    region_uow: NewUnitOfWork, region_counts: Counts, organization: int
) -> None:
    before = region_counts()
    with pytest.raises(NotFound) as missing, region_uow() as uow:
        add_members(uow, [member(101), NewMember(999, MemberRole.MEMBER, user_id=102)])
    assert missing.value.field == "organization_id"
    assert region_counts() == before


def test_removing_a_user_tells_the_control_silo_of_each_membership(
    region_uow: NewUnitOfWork, organization: int
) -> None:
    with region_uow() as uow:
        create_organizations(
            uow, [NewOrganization(42, "beta", "Beta", 101, owner_email="101@example.com")]
        )
        [membership] = add_members(uow, [member(101)])
        owner_of_beta = uow.session.scalars(
            select(OrganizationMemberRow.id).where(OrganizationMemberRow.organization_id == 42)
        ).one()
        last = uow.session.scalar(select(func.max(RegionOutboxRow.id)))
        uow.commit()
    with region_uow() as uow:
        assert remove_user(uow, 101) == 2
        messages = uow.session.execute(
            select(RegionOutboxRow.shard_identifier, RegionOutboxRow.object_identifier)
            .where(RegionOutboxRow.id > (last or 0))
            .order_by(RegionOutboxRow.id)
        ).all()
        assert [tuple(message) for message in messages] == [
            (42, owner_of_beta),
            (organization, membership.id),
        ]
        assert (
            uow.session.scalars(
                select(OrganizationMemberRow.user_id).where(OrganizationMemberRow.user_id == 101)
            ).all()
            == []
        )
        uow.commit()
