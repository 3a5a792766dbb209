"""Contract: the user service's reads behave the same locally and over gRPC."""

from __future__ import annotations

import base64
import json

import pytest

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import (
    AuthIdentityRow,
    AuthProviderRow,
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
)
from shared.errors import InvalidArgument, NotFound
from shared.services.user.model import AvatarType, UserFilter, UserIdEmail, UserUpdate
from shared.services.user.service import UserService
from tests.contract.conftest import MakeUser


def add_membership(control: ControlSilo, organization_id: int, user_id: int, region: str) -> None:
    with control.sessions.begin() as session:
        if (
            session.query(OrganizationMappingRow).filter_by(organization_id=organization_id).first()
            is None
        ):
            session.add(
                OrganizationMappingRow(
                    organization_id=organization_id,
                    slug=f"org-{organization_id}",
                    name=f"Org {organization_id}",
                    region_name=region,
                    status=0 if organization_id % 2 else 1,
                )
            )
        session.add(
            OrganizationMemberMappingRow(
                organization_id=organization_id,
                organizationmember_id=organization_id * 100 + user_id,
                user_id=user_id,
                role="member",
            )
        )


def test_get_user_returns_every_field(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    created = make_user("alice", "Alice@Example.com", name="Alice", password="pw", is_staff=True)
    user_service.add_user_role(user_id=created.id, role="Super Admin")
    user_service.add_permission(user_id=created.id, permission="broadcasts.admin")
    user_service.verify_user_email(user_id=created.id, email="alice@example.com")

    user = user_service.get_user(user_id=created.id)

    assert user.id == created.id
    assert (user.username, user.email, user.name) == ("alice", "Alice@Example.com", "Alice")
    assert user.is_active and user.is_staff and not user.is_superuser
    assert user.password_usable
    assert user.avatar_type is AvatarType.LETTER_AVATAR
    assert user.emails == frozenset({"Alice@Example.com"})
    assert [(e.email, e.is_verified) for e in user.useremails] == [("Alice@Example.com", True)]
    assert user.permissions == frozenset({"broadcasts.admin"})
    # The permissions its roles grant (Super Admin's), not the roles' names.
    assert user.roles == frozenset({"broadcasts.admin", "users.admin", "options.admin"})
    assert user.date_joined.tzinfo is not None
    assert user.last_login is None


def test_get_user_unknown_is_not_found(user_service: UserService) -> None:
    with pytest.raises(NotFound) as raised:
        user_service.get_user(user_id=424242)
    assert raised.value.field == "user_id"


def test_get_user_zero_id_is_invalid(user_service: UserService) -> None:
    with pytest.raises(InvalidArgument) as raised:
        user_service.get_user(user_id=0)
    assert raised.value.field == "user_id"


def test_get_many_by_id_keeps_order_and_skips_unknown(
    user_service: UserService, make_user: MakeUser
) -> None:
    a, b, c = make_user("a"), make_user("b"), make_user("c")
    users = user_service.get_many_by_id(user_ids=[c.id, 999_999, a.id, b.id])
    assert [u.id for u in users] == [c.id, a.id, b.id]


def test_get_many_by_id_rejects_more_than_1000(user_service: UserService) -> None:
    with pytest.raises(InvalidArgument) as raised:
        user_service.get_many_by_id(user_ids=list(range(1, 1002)))
    assert raised.value.field == "user_ids"
    assert user_service.get_many_by_id(user_ids=list(range(100_000, 101_000))) == []


def test_get_many_requires_a_selecting_filter(user_service: UserService) -> None:
    with pytest.raises(InvalidArgument) as raised:
        user_service.get_many(filter=UserFilter(is_active=True))
    assert raised.value.field == "filter"


def test_get_many_filters_combine(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    ann = make_user("ann", "ann@corp.example", name="Ann Smith")
    bob = make_user("bob", "bob@corp.example", name="Bob Jones")
    cid = make_user("cid", "cid@other.example", name="Cid")
    user_service.update_user(user_id=bob.id, update=UserUpdate(is_active=False))
    user_service.verify_user_email(user_id=ann.id, email="ann@corp.example")
    add_membership(control_silo, 7, ann.id, "us")
    add_membership(control_silo, 7, bob.id, "us")

    def ids(**conditions: object) -> list[int]:
        page = user_service.get_many(filter=UserFilter(**conditions))  # type: ignore[arg-type]
        return [user.id for user in page.users]

    everyone = [ann.id, bob.id, cid.id]
    assert ids(user_ids=everyone) == everyone
    assert ids(user_ids=everyone, is_active=True) == [ann.id, cid.id]
    assert ids(organization_id=7) == [ann.id, bob.id]
    assert ids(organization_id=7, is_active=False) == [bob.id]
    assert ids(emails=["ANN@corp.example", "cid@other.example"]) == [ann.id, cid.id]
    assert ids(user_ids=everyone, email_verified=True) == [ann.id]
    assert ids(user_ids=everyone, query="JONES") == [bob.id]
    assert ids(user_ids=everyone, query="corp.example") == [ann.id, bob.id]


def test_get_many_pages_through_every_user(user_service: UserService, make_user: MakeUser) -> None:
    made = [make_user(f"user{i}").id for i in range(7)]
    seen: list[int] = []
    token = ""
    pages = 0
    while True:
        page = user_service.get_many(
            filter=UserFilter(user_ids=made), page_size=3, page_token=token
        )
        seen += [user.id for user in page.users]
        pages += 1
        token = page.next_page_token
        if not token:
            break
    assert seen == made
    assert pages == 3


def _token(after: object) -> str:
    """A page token of the form the service issues, holding ``after``."""
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


@pytest.mark.parametrize(
    ("page_size", "token", "field"),
    [
        (-1, "", "page_size"),
        (1001, "", "page_size"),
        (10, "not-a-token", "page_token"),
        # Well formed, but no id of a 64-bit column is that large.
        (10, _token(10**30), "page_token"),
        (10, _token(2**63), "page_token"),
    ],
)
def test_get_many_rejects_bad_paging(
    user_service: UserService, page_size: int, token: str, field: str
) -> None:
    with pytest.raises(InvalidArgument) as raised:
        user_service.get_many(
            filter=UserFilter(user_ids=[1]), page_size=page_size, page_token=token
        )
    assert raised.value.field == field


def test_get_many_by_email_one_result_per_user_and_email(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    ann = make_user("ann", "ann@example.com")
    user_service.update_user(user_id=ann.id, update=UserUpdate(email="ann.work@example.com"))
    for address in ("ann@example.com", "ann.work@example.com"):
        user_service.verify_user_email(user_id=ann.id, email=address)
    bob = make_user("bob", "bob@example.com")
    make_user("cid", "cid@example.com")  # unverified: left out by default

    users = user_service.get_many_by_email(
        emails=["ANN@example.com", "ann.work@EXAMPLE.com", "bob@example.com", "cid@example.com"]
    )
    assert [(u.id, u.email) for u in users] == [
        (ann.id, "ann@example.com"),
        (ann.id, "ann.work@example.com"),
    ]
    assert bob.id not in {u.id for u in users}

    unverified = user_service.get_many_by_email(emails=["cid@example.com"], is_verified=False)
    assert [u.username for u in unverified] == ["cid"]

    add_membership(control_silo, 3, ann.id, "de")
    assert user_service.get_many_by_email(emails=["ann@example.com"], organization_id=4) == []
    assert len(user_service.get_many_by_email(emails=["ann@example.com"], organization_id=3)) == 1


def test_get_many_by_email_respects_is_active(
    user_service: UserService, make_user: MakeUser
) -> None:
    user = make_user("gone", "gone@example.com")
    user_service.verify_user_email(user_id=user.id, email="gone@example.com")
    user_service.update_user(user_id=user.id, update=UserUpdate(is_active=False))
    assert user_service.get_many_by_email(emails=["gone@example.com"]) == []
    found = user_service.get_many_by_email(emails=["gone@example.com"], is_active=False)
    assert [u.id for u in found] == [user.id]


def test_get_by_username_is_case_insensitive_then_tries_email(
    user_service: UserService, make_user: MakeUser
) -> None:
    alice = make_user("Alice", "alice@example.com", password="pw")
    assert [u.id for u in user_service.get_by_username(username="aLiCe")] == [alice.id]
    assert [u.id for u in user_service.get_by_username(username="ALICE@example.com")] == [alice.id]
    assert user_service.get_by_username(username="nobody") == []


def test_get_by_username_skips_unusable_passwords_unless_asked(
    user_service: UserService, make_user: MakeUser
) -> None:
    make_user("nopass")
    assert user_service.get_by_username(username="nopass") == []
    found = user_service.get_by_username(username="nopass", with_valid_password=False)
    assert [u.username for u in found] == ["nopass"]
    assert not found[0].password_usable


def test_get_by_username_filters_active(user_service: UserService, make_user: MakeUser) -> None:
    user = make_user("sleepy", password="pw")
    user_service.update_user(user_id=user.id, update=UserUpdate(is_active=False))
    assert user_service.get_by_username(username="sleepy", is_active=True) == []
    assert len(user_service.get_by_username(username="sleepy", is_active=False)) == 1
    assert len(user_service.get_by_username(username="sleepy")) == 1


def test_get_existing_usernames_is_exact(user_service: UserService, make_user: MakeUser) -> None:
    make_user("Exact")
    make_user("other")
    found = user_service.get_existing_usernames(usernames=["Exact", "exact", "other", "missing"])
    assert found == ["Exact", "other"]


def test_get_organizations_and_regions(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    user = make_user("member")
    assert user_service.get_organizations(user_id=user.id) == []
    assert user_service.get_member_region_names(user_id=user.id) == []
    add_membership(control_silo, 1, user.id, "us")
    add_membership(control_silo, 2, user.id, "de")
    add_membership(control_silo, 5, user.id, "de")

    organizations = user_service.get_organizations(user_id=user.id)
    assert [(o.organization_id, o.slug, o.region_name) for o in organizations] == [
        (1, "org-1", "us"),
        (2, "org-2", "de"),
        (5, "org-5", "de"),
    ]
    visible = user_service.get_organizations(user_id=user.id, only_visible=True)
    assert [o.organization_id for o in visible] == [1, 5]
    assert user_service.get_member_region_names(user_id=user.id) == ["de", "us"]


def test_get_user_by_email_prefers_the_ident_owner(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    first = make_user("first", "shared@example.com")
    second = make_user("second", "shared@example.com")
    inactive = make_user("inactive", "only@example.com")
    user_service.update_user(user_id=inactive.id, update=UserUpdate(is_active=False))
    with control_silo.sessions.begin() as session:
        provider = AuthProviderRow(organization_id=1, provider="okta")
        session.add(provider)
        session.flush()
        session.add(AuthIdentityRow(auth_provider_id=provider.id, user_id=second.id, ident="sso-2"))

    def found(email: str, ident: str | None = None) -> int | None:
        user = user_service.get_user_by_email(email=email, ident=ident)
        return user.id if user else None

    assert found("SHARED@example.com") == first.id
    assert found("shared@example.com", "sso-2") == second.id
    assert found("shared@example.com", "unknown") == first.id
    assert found("only@example.com") is None
    assert found("nobody@example.com") is None


def test_verify_user_emails_answers_in_order(
    user_service: UserService, make_user: MakeUser
) -> None:
    user = make_user("v", "v@example.com")
    user_service.update_user(user_id=user.id, update=UserUpdate(email="v2@example.com"))
    user_service.verify_user_email(user_id=user.id, email="v2@example.com")
    pairs = [
        UserIdEmail(user.id, "V@example.com"),
        UserIdEmail(user.id, "v2@example.com"),
        UserIdEmail(user.id, "nope@example.com"),
        UserIdEmail(987654, "v@example.com"),
    ]
    assert [r.exists for r in user_service.verify_user_emails(user_id_emails=pairs)] == [
        True,
        True,
        False,
        False,
    ]
    verified = user_service.verify_user_emails(user_id_emails=pairs, only_verified=True)
    assert [r.exists for r in verified] == [False, True, False, False]
    assert [r.email for r in verified] == [p.email for p in pairs]


def test_get_first_superuser(user_service: UserService, make_user: MakeUser) -> None:
    assert user_service.get_first_superuser() is None
    make_user("plain")
    retired = make_user("retired", is_superuser=True)
    user_service.update_user(user_id=retired.id, update=UserUpdate(is_active=False))
    boss = make_user("boss", is_superuser=True)
    make_user("boss2", is_superuser=True)
    first = user_service.get_first_superuser()
    assert first is not None and first.id == boss.id


@pytest.mark.parametrize("method", ["get_organizations", "get_member_region_names", "flush_nonce"])
def test_user_id_is_required(user_service: UserService, method: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        getattr(user_service, method)(user_id=0)
    assert raised.value.field == "user_id"


@pytest.mark.parametrize(
    ("username", "asked"),
    [("ΟΔΟΣ", "ΟΔΟΣ"), ("ΟΔΟΣ", "οδοσ"), ("İlker", "İLKER"), ("İlker", "ilker")],
)
def test_get_by_username_folds_case_as_the_database_does(
    user_service: UserService, make_user: MakeUser, username: str, asked: str
) -> None:
    """Letters whose Python lowercase differs from the database's (a final sigma, a dotted
    capital I) still find the user the database holds under that name."""
    user = make_user(username, "folding@example.com", password="pw")
    assert [u.id for u in user_service.get_by_username(username=asked)] == [user.id]
