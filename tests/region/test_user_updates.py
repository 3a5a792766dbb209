"""Control -> region: user changes write USER_UPDATE rows to member regions; delivery refreshes
the region's memberships and invalidates its cache."""

from __future__ import annotations

from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import ControlOutboxRow
from control_silo.outbox.delivery import RegionDelivery
from region_silo.bootstrap import RegionSilo
from shared.cache.keys import user_cache_keys
from shared.outbox.categories import OutboxCategory
from shared.outbox.drainer import OutboxDrainer, OutboxRecord
from shared.outbox.model import ShardKey
from shared.services.auth.service import AuthService
from shared.services.organization.model import Organization
from shared.services.organization.service import OrganizationService
from shared.services.region_directory import RegionDirectory
from shared.services.user.model import User, UserUpdate
from shared.services.user.service import UserService
from tests.region.conftest import REGION


def outbox(control: ControlSilo) -> list[tuple[str, int, int]]:
    """The waiting control outbox messages about users (reservations are left out)."""
    about_users = [OutboxCategory.USER_UPDATE, OutboxCategory.AUTH_IDENTITY_UPDATE]
    with control.sessions() as session:
        return [
            (row.region_name, row.category, row.object_identifier)
            for row in session.scalars(
                select(ControlOutboxRow)
                .where(ControlOutboxRow.category.in_(about_users))
                .order_by(ControlOutboxRow.id)
            )
        ]


def member_of_org(
    control: ControlSilo, region: RegionSilo, make_user: object
) -> tuple[User, Organization]:
    owner = make_user("owner")  # type: ignore[operator]
    organization = region.services.get(OrganizationService).create_organization(
        slug="updates", name="Updates", owner_user_id=owner.id
    )
    region.drainer.drain_due()  # the control silo now knows the membership
    return owner, organization


def test_user_changes_reach_the_region(
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    make_control_user: object,
    control_drainer: OutboxDrainer,
) -> None:
    user, organization = member_of_org(control_silo, region_silo, make_control_user)
    organizations = region_silo.services.get(OrganizationService)
    assert organizations.list_members(organization_id=organization.id)[0].user.name == ""  # type: ignore[union-attr]
    users = control_silo.services.get(UserService)
    users.update_user(
        user_id=user.id, update=UserUpdate(name="Renamed", email="renamed@example.com")
    )
    assert outbox(control_silo) == [(REGION, OutboxCategory.USER_UPDATE, user.id)]
    # Before delivery the region may still serve its cached copy...
    stale = organizations.list_members(organization_id=organization.id)[0]
    assert stale.user is not None and stale.user.name == ""
    assert control_drainer.drain_due() >= 1
    # ...after it, never.
    fresh = organizations.list_members(organization_id=organization.id)[0]
    assert fresh.user is not None and fresh.user.name == "Renamed"
    assert fresh.user_email == "renamed@example.com"
    assert outbox(control_silo) == []

    users.update_user(user_id=user.id, update=UserUpdate(is_active=False))
    users.flush_nonce(user_id=user.id)
    users.add_permission(user_id=user.id, permission="users.admin")
    assert len(outbox(control_silo)) == 3
    assert control_drainer.drain_due() == 1  # coalesced: one delivery with the newest state
    assert outbox(control_silo) == []
    member = organizations.list_members(organization_id=organization.id)[0]
    assert not member.user_is_active
    assert member.user is not None and member.user.permissions == {"users.admin"}


def test_users_without_memberships_write_nothing(
    control_silo: ControlSilo, make_control_user: object
) -> None:
    loner = make_control_user("loner")  # type: ignore[operator]
    control_silo.services.get(UserService).update_user(
        user_id=loner.id, update=UserUpdate(name="Alone")
    )
    assert outbox(control_silo) == []


def test_auth_identity_changes_are_sent(
    control_silo: ControlSilo, region_silo: RegionSilo, make_control_user: object
) -> None:
    user, _ = member_of_org(control_silo, region_silo, make_control_user)
    auth = control_silo.services.get(AuthService)
    provider = auth.create_auth_provider(organization_id=1, provider="saml")
    auth.create_auth_identity(auth_provider_id=provider.id, user_id=user.id, ident="u1")
    assert outbox(control_silo) == [(REGION, OutboxCategory.AUTH_IDENTITY_UPDATE, user.id)]


def test_duplicate_deliveries_change_nothing(
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    make_control_user: object,
    directory: RegionDirectory,
) -> None:
    user, organization = member_of_org(control_silo, region_silo, make_control_user)
    control_silo.services.get(UserService).update_user(
        user_id=user.id, update=UserUpdate(email="twice@example.com")
    )
    delivery = RegionDelivery(control_silo.sessions, directory)
    record = OutboxRecord(
        id=1,
        category=OutboxCategory.USER_UPDATE,
        shard=ShardKey(REGION, 1, user.id),
        object_identifier=user.id,
        payload=None,
    )
    delivery.deliver_one(record)
    after_once = region_silo.services.get(OrganizationService).list_members(
        organization_id=organization.id
    )
    versions_once = region_silo.cache._versions.versions(user_cache_keys(user.id))
    delivery.deliver_one(record)
    after_twice = region_silo.services.get(OrganizationService).list_members(
        organization_id=organization.id
    )
    assert after_once == after_twice
    assert after_twice[0].user_email == "twice@example.com"
    assert region_silo.cache._versions.versions(user_cache_keys(user.id)) > versions_once
