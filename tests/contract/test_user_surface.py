"""Contract: the user service's filter-wide reads (ids, profiles, Sentry's API shape), the
authenticator filter, avatars, consent emails and social-auth lookups, locally and over gRPC."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import (
    AuthenticatorRow,
    UserAvatarRow,
    UserEmailRequestRow,
    UserEmailRow,
    UserSocialAuthRow,
)
from shared.errors import InvalidArgument, NotFound
from shared.services.user.model import UserAvatar, UserFilter, UserFlag, UserUpdate
from shared.services.user.service import UserService
from tests.contract.conftest import MakeUser, RowCounts
from tests.contract.test_user_reads import add_membership

TOTP, RECOVERY = 1, 0


def add_authenticator(control: ControlSilo, user_id: int, kind: int) -> None:
    with control.sessions.begin() as session:
        session.add(AuthenticatorRow(user_id=user_id, type=kind, config="{}"))


def test_get_many_ids_follows_the_filter(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    ann, bob, cid = make_user("ann"), make_user("bob"), make_user("cid")
    user_service.update_user(user_id=bob.id, update=UserUpdate(is_active=False))
    add_membership(control_silo, 7, ann.id, "us")
    add_membership(control_silo, 7, bob.id, "us")
    everyone = [cid.id, ann.id, bob.id]
    assert user_service.get_many_ids(filter=UserFilter(user_ids=everyone)) == sorted(everyone)
    assert user_service.get_many_ids(filter=UserFilter(organization_id=7, is_active=True)) == [
        ann.id
    ]
    assert user_service.get_many_ids(filter=UserFilter(user_ids=[])) == []
    with pytest.raises(InvalidArgument) as refused:
        user_service.get_many_ids(filter=UserFilter(is_active=True))
    assert refused.value.field == "filter"


def test_get_many_profiles(user_service: UserService, make_user: MakeUser) -> None:
    named = make_user("named", "named@example.com", name="Named One", password="pw")
    bare = make_user("bare", "", is_staff=True)
    profiles = user_service.get_many_profiles(filter=UserFilter(user_ids=[bare.id, named.id]))
    assert [p.id for p in profiles] == [named.id, bare.id]
    first, second = profiles
    assert (first.username, first.email, first.name) == ("named", "named@example.com", "Named One")
    assert (first.display_name, first.label) == ("Named One", "named@example.com")
    assert first.password_usable and first.is_active and not first.is_staff
    assert (second.display_name, second.label) == ("bare@example.com", "bare@example.com")
    assert second.is_staff and not second.password_usable
    assert user_service.get_many_profiles(filter=UserFilter(emails=[])) == []


def test_authenticator_types_filter(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    ann, bob, cid = make_user("ann"), make_user("bob"), make_user("cid")
    add_authenticator(control_silo, ann.id, TOTP)
    add_authenticator(control_silo, ann.id, RECOVERY)
    add_authenticator(control_silo, bob.id, RECOVERY)
    everyone = [ann.id, bob.id, cid.id]

    def ids(types: list[int] | None) -> list[int]:
        found = user_service.get_many(
            filter=UserFilter(user_ids=everyone, authenticator_types=types)
        )
        return [user.id for user in found.users]

    assert ids(None) == everyone
    assert ids([TOTP]) == [ann.id]
    assert ids([RECOVERY]) == [ann.id, bob.id]
    assert ids([TOTP, RECOVERY]) == [ann.id, bob.id]
    assert ids([]) == []
    assert user_service.get_many_ids(
        filter=UserFilter(user_ids=everyone, authenticator_types=[TOTP])
    ) == [ann.id]


def test_serialize_many_has_sentrys_shape(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    ann = make_user("ann", "ann@example.com", name="Ann", password="pw")
    bob = make_user("bob", "bob@example.com")
    user_service.verify_user_email(user_id=ann.id, email="ann@example.com")
    add_authenticator(control_silo, ann.id, TOTP)
    add_authenticator(control_silo, bob.id, RECOVERY)
    with control_silo.sessions.begin() as session:
        session.add(UserAvatarRow(user_id=bob.id, ident="a" * 32, avatar_type=1, file_id=5))

    serialized = [
        json.loads(text)
        for text in user_service.serialize_many(
            filter=UserFilter(user_ids=[bob.id, ann.id]), as_user_id=ann.id
        )
    ]
    first, second = serialized
    assert first["id"] == str(ann.id) and second["id"] == str(bob.id)
    assert (first["name"], first["username"], first["email"]) == ("Ann", "ann", "ann@example.com")
    assert first["isActive"] and first["hasPasswordAuth"] and not second["hasPasswordAuth"]
    assert (first["has2fa"], second["has2fa"]) == (True, False)
    assert first["emails"] == [
        {"id": first["emails"][0]["id"], "email": "ann@example.com", "is_verified": True}
    ]
    assert first["avatar"] == {"avatarType": "letter_avatar", "avatarUuid": None, "avatarUrl": None}
    assert second["avatar"] == {
        "avatarType": "upload",
        "avatarUuid": "a" * 32,
        "avatarUrl": f"/avatar/{'a' * 32}/",
    }
    assert first["avatarUrl"].startswith("https://gravatar.com/avatar/")
    assert first["dateJoined"].endswith("Z") and first["lastLogin"] is None
    assert first["flags"] == {"newsletter_consent_prompt": False} and "flags" not in second
    for key in ("isManaged", "lastActive", "isSuperuser", "isStaff", "experiments"):
        assert key in first


def test_get_user_avatar(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    plain, uploaded = make_user("plain"), make_user("uploaded")
    with control_silo.sessions.begin() as session:
        session.add(UserAvatarRow(user_id=uploaded.id, ident="b" * 32, avatar_type=1, file_id=9))
    assert user_service.get_user_avatar(user_id=plain.id) is None
    assert user_service.get_user_avatar(user_id=uploaded.id) == UserAvatar(
        id=user_service.get_user_avatar(user_id=uploaded.id).id,  # type: ignore[union-attr]
        file_id=9,
        ident="b" * 32,
        avatar_type="upload",
    )
    with pytest.raises(InvalidArgument) as refused:
        user_service.get_user_avatar(user_id=0)
    assert refused.value.field == "user_id"


def email_requests(control: ControlSilo) -> list[tuple[int, str, str]]:
    with control.sessions() as session:
        return [
            (row.user_id, row.email, row.kind)
            for row in session.scalars(select(UserEmailRequestRow).order_by(UserEmailRequestRow.id))
        ]


def test_trigger_user_consent_email(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo, row_counts: RowCounts
) -> None:
    user = make_user("consent", "consent@example.com")
    user_service.verify_user_email(user_id=user.id, email="consent@example.com")
    with control_silo.sessions.begin() as session:
        session.add(
            UserEmailRow(
                user_id=user.id,
                email="second@example.com",
                is_verified=False,
                validation_hash="0" * 32,
            )
        )
    assert user_service.trigger_user_consent_email_if_applicable(user_id=user.id) == 1
    flags = user_service.get_user(user_id=user.id).flags
    assert flags & UserFlag.NEWSLETTER_CONSENT_PROMPT
    assert email_requests(control_silo) == [(user.id, "second@example.com", "confirm_email")]
    before = row_counts()
    with pytest.raises(NotFound) as unknown:
        user_service.trigger_user_consent_email_if_applicable(user_id=987_654)
    assert unknown.value.field == "user_id"
    assert row_counts() == before


def test_get_user_by_social_auth(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    member, outsider = make_user("member"), make_user("outsider")
    add_membership(control_silo, 7, member.id, "us")
    with control_silo.sessions.begin() as session:
        session.add(UserSocialAuthRow(user_id=outsider.id, provider="github", uid="42"))
        session.add(UserSocialAuthRow(user_id=member.id, provider="github", uid="42"))
    found = user_service.get_user_by_social_auth(
        organization_id=7, provider="github", external_id="42"
    )
    assert found is not None and found.id == member.id
    assert (
        user_service.get_user_by_social_auth(organization_id=8, provider="github", external_id="42")
        is None
    )
    assert (
        user_service.get_user_by_social_auth(organization_id=7, provider="gitlab", external_id="42")
        is None
    )
    with pytest.raises(InvalidArgument) as empty:
        user_service.get_user_by_social_auth(organization_id=7, provider="", external_id="42")
    assert empty.value.field == "provider"
