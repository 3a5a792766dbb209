"""Contract: the region's organization service, in process and over gRPC, with the control silo
doing provisioning and holding the users."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import OrganizationMappingRow, OrganizationSlugReservationRow
from region_silo.bootstrap import RegionSilo
from shared.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from shared.services.organization.model import MemberRole, OrganizationStatus
from shared.services.organization.service import OrganizationService
from shared.services.user.model import UserUpdate
from shared.services.user.service import UserService
from tests.region.conftest import REGION, Counts


def test_create_organization_provisions_through_control(
    organization_service: OrganizationService,
    make_control_user: object,
    control_silo: ControlSilo,
    region_silo: RegionSilo,
) -> None:
    owner = make_control_user("owner")  # type: ignore[operator]
    organization = organization_service.create_organization(
        slug="acme", name="Acme", owner_user_id=owner.id, default_role=MemberRole.ADMIN
    )
    assert (organization.slug, organization.name) == ("acme", "Acme")
    assert organization.status is OrganizationStatus.ACTIVE
    assert organization.default_role is MemberRole.ADMIN
    with control_silo.sessions() as session:
        reservation = session.scalars(select(OrganizationSlugReservationRow)).one()
        mapping = session.scalars(select(OrganizationMappingRow)).one()
    assert (reservation.slug, reservation.organization_id) == ("acme", organization.id)
    assert (reservation.region_name, reservation.user_id) == (REGION, owner.id)
    assert (mapping.organization_id, mapping.region_name) == (organization.id, REGION)

    members = organization_service.list_members(organization_id=organization.id)
    assert [(m.user_id, m.role) for m in members] == [(owner.id, MemberRole.OWNER)]
    assert members[0].user is not None and members[0].user.username == "owner"
    team = organization_service.get_single_team(organization_id=organization.id)
    assert team is not None and (team.slug, team.name) == ("acme", "Acme")
    assert organization_service.get_organization_by_slug(slug="acme") == organization
    assert (
        organization_service.get_organization_by_id(organization_id=organization.id) == organization
    )
    assert organization_service.get_default_organization() == organization

    region_silo.drainer.drain_due()
    listed = control_silo.services.get(UserService).get_organizations(user_id=owner.id)
    assert [(o.organization_id, o.slug, o.region_name) for o in listed] == [
        (organization.id, "acme", REGION)
    ]
    with control_silo.sessions() as session:
        assert session.scalars(select(OrganizationMappingRow.verified)).one() is True


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("", "is required"),
        ("Acme", "lowercase"),
        ("has space", "lowercase"),
        ("under_score", "lowercase"),
        ("12345", "all digits"),
        ("a" * 51, "longer than 50"),
        ("admin", "reserved"),
        ("settings", "reserved"),
    ],
)
def test_bad_slugs_are_rejected_and_nothing_is_written(
    organization_service: OrganizationService,
    make_control_user: object,
    both_row_counts: Counts,
    slug: str,
    reason: str,
) -> None:
    owner = make_control_user("owner")  # type: ignore[operator]
    before = both_row_counts()
    with pytest.raises(InvalidArgument, match=reason) as raised:
        organization_service.create_organization(slug=slug, name="X", owner_user_id=owner.id)
    assert raised.value.field == "slug"
    assert both_row_counts() == before


def test_owner_must_exist_and_be_active(
    organization_service: OrganizationService,
    make_control_user: object,
    control_silo: ControlSilo,
    both_row_counts: Counts,
) -> None:
    sleeper = make_control_user("sleeper")  # type: ignore[operator]
    control_silo.services.get(UserService).update_user(
        user_id=sleeper.id, update=UserUpdate(is_active=False)
    )
    before = both_row_counts()
    with pytest.raises(NotFound) as missing:
        organization_service.create_organization(slug="ghost", name="G", owner_user_id=999_999)
    assert missing.value.field == "owner_user_id"
    with pytest.raises(FailedPrecondition) as inactive:
        organization_service.create_organization(slug="sleepy", name="S", owner_user_id=sleeper.id)
    assert inactive.value.field == "owner_user_id"
    assert both_row_counts() == before


def test_taken_slug(
    organization_service: OrganizationService, make_control_user: object, both_row_counts: Counts
) -> None:
    owner = make_control_user("owner")  # type: ignore[operator]
    organization_service.create_organization(slug="taken", name="T", owner_user_id=owner.id)
    before = both_row_counts()
    with pytest.raises(AlreadyExists) as raised:
        organization_service.create_organization(slug="taken", name="T2", owner_user_id=owner.id)
    assert raised.value.field == "slug"
    assert both_row_counts() == before


def test_members_and_teams(
    organization_service: OrganizationService, make_control_user: object, both_row_counts: Counts
) -> None:
    owner = make_control_user("owner")  # type: ignore[operator]
    bob = make_control_user("bob")  # type: ignore[operator]
    organization = organization_service.create_organization(
        slug="team-org", name="Team Org", owner_user_id=owner.id
    )
    member = organization_service.add_organization_member(
        organization_id=organization.id,
        user_id=bob.id,
        role=MemberRole.MANAGER,
        inviter_id=owner.id,
    )
    assert (member.user_id, member.role, member.user_email) == (
        bob.id,
        MemberRole.MANAGER,
        bob.email,
    )
    invite = organization_service.add_organization_member(
        organization_id=organization.id, email="new@example.com", role=MemberRole.MEMBER
    )
    assert invite.user_id is None and invite.email == "new@example.com"

    before = both_row_counts()
    with pytest.raises(AlreadyExists) as again:
        organization_service.add_organization_member(
            organization_id=organization.id, user_id=bob.id, role=MemberRole.MEMBER
        )
    assert again.value.field == "user_id"
    with pytest.raises(AlreadyExists) as reinvite:
        organization_service.add_organization_member(
            organization_id=organization.id, email="NEW@example.com", role=MemberRole.MEMBER
        )
    assert reinvite.value.field == "email"
    with pytest.raises(NotFound) as nobody:
        organization_service.add_organization_member(
            organization_id=organization.id, user_id=424242, role=MemberRole.MEMBER
        )
    assert nobody.value.field == "user_id"
    with pytest.raises(NotFound) as no_org:
        organization_service.add_organization_member(
            organization_id=777777, user_id=bob.id, role=MemberRole.MEMBER
        )
    assert no_org.value.field == "organization_id"
    with pytest.raises(InvalidArgument):
        organization_service.add_organization_member(
            organization_id=organization.id, role=MemberRole.MEMBER
        )
    with pytest.raises(InvalidArgument) as bad_email:
        organization_service.add_organization_member(
            organization_id=organization.id, email="nope", role=MemberRole.MEMBER
        )
    assert bad_email.value.field == "email"
    assert both_row_counts() == before

    team = organization_service.get_single_team(organization_id=organization.id)
    assert team is not None
    organization_service.add_team_member(
        organization_id=organization.id, team_id=team.id, member_id=member.id
    )
    organization_service.add_team_member(
        organization_id=organization.id, team_id=team.id, member_id=member.id
    )
    with pytest.raises(NotFound):
        organization_service.add_team_member(
            organization_id=organization.id, team_id=team.id, member_id=987654
        )

    members = organization_service.list_members(organization_id=organization.id)
    assert [m.user_id for m in members] == [owner.id, bob.id, None]
    assert [m.user.username if m.user else None for m in members] == ["owner", "bob", None]

    found = organization_service.check_membership_by_id(
        organization_id=organization.id, user_id=bob.id
    )
    assert found is not None and found.id == member.id
    assert (
        organization_service.check_membership_by_id(organization_id=organization.id, user_id=424242)
        is None
    )
    by_email = organization_service.check_membership_by_email(
        organization_id=organization.id, email="BOB@example.com"
    )
    assert by_email is not None and by_email.id == member.id
    invited = organization_service.check_membership_by_email(
        organization_id=organization.id, email="new@example.com"
    )
    assert invited is not None and invited.id == invite.id

    organization_service.delete_organization_member(
        organization_id=organization.id, member_id=member.id
    )
    with pytest.raises(NotFound) as gone:
        organization_service.delete_organization_member(
            organization_id=organization.id, member_id=member.id
        )
    assert gone.value.field == "member_id"
    assert [
        m.user_id for m in organization_service.list_members(organization_id=organization.id)
    ] == [
        owner.id,
        None,
    ]


def test_region_user_updates_and_removal(
    organization_service: OrganizationService, make_control_user: object
) -> None:
    owner = make_control_user("owner")  # type: ignore[operator]
    first = organization_service.create_organization(slug="one", name="One", owner_user_id=owner.id)
    second = organization_service.create_organization(
        slug="two", name="Two", owner_user_id=owner.id
    )
    assert (
        organization_service.update_region_user(
            user_id=owner.id, is_active=False, email="moved@example.com"
        )
        == 2
    )
    member = organization_service.check_membership_by_id(organization_id=first.id, user_id=owner.id)
    assert member is not None and not member.user_is_active
    assert member.user_email == "moved@example.com"
    assert organization_service.remove_user(user_id=owner.id) == 2
    assert organization_service.list_members(organization_id=second.id) == []


def test_update_slug_moves_the_reservation(
    organization_service: OrganizationService,
    make_control_user: object,
    control_silo: ControlSilo,
    both_row_counts: Counts,
) -> None:
    owner = make_control_user("owner")  # type: ignore[operator]
    organization = organization_service.create_organization(
        slug="before", name="B", owner_user_id=owner.id
    )
    other = organization_service.create_organization(slug="other", name="O", owner_user_id=owner.id)
    renamed = organization_service.update_organization_slug(
        organization_id=organization.id, slug="after"
    )
    assert renamed.slug == "after"
    with control_silo.sessions() as session:
        slugs = set(session.scalars(select(OrganizationSlugReservationRow.slug)))
    assert slugs == {"after", "other"}
    before = both_row_counts()
    with pytest.raises(AlreadyExists):
        organization_service.update_organization_slug(organization_id=organization.id, slug="other")
    with pytest.raises(InvalidArgument):
        organization_service.update_organization_slug(organization_id=organization.id, slug="API")
    with pytest.raises(NotFound):
        organization_service.update_organization_slug(organization_id=55555, slug="fresh")
    assert both_row_counts() == before
    assert organization_service.get_organization_by_id(organization_id=other.id).slug == "other"


def test_lookups_of_missing_organizations(organization_service: OrganizationService) -> None:
    with pytest.raises(NotFound) as by_id:
        organization_service.get_organization_by_id(organization_id=31337)
    assert by_id.value.field == "organization_id"
    with pytest.raises(NotFound) as by_slug:
        organization_service.get_organization_by_slug(slug="nowhere")
    assert by_slug.value.field == "slug"
    with pytest.raises(NotFound):
        organization_service.list_members(organization_id=31337)
    assert organization_service.get_default_organization() is None
