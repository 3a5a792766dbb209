"""Contract: the user service's writes, and what it does with bad input, locally and over gRPC."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import EmailRow, UserRow
from control_silo.passwords import check_password
from shared.errors import AlreadyExists, InvalidArgument, NotFound, SiloError
from shared.services.user.model import AvatarType, NewUser, UserFlag, UserUpdate
from shared.services.user.service import UserService
from tests.contract.conftest import MakeUser, RowCounts

# A hash Sentry wrote for the password "admin" (Django's PBKDF2-SHA256, 260000 iterations).
SENTRY_ADMIN_HASH = (
    "pbkdf2_sha256$260000$0B845S4PhAYGVop1tVF3vx$GJXuZrcVB2AOtFMt1c6bAZ4BUcLBq70cwy8ymulArpU="
)


def stored_password(control: ControlSilo, user_id: int) -> str:
    with control.sessions() as session:
        return session.scalars(select(UserRow.password).where(UserRow.id == user_id)).one()


def test_create_user_hashes_the_password_and_records_the_email(
    user_service: UserService, control_silo: ControlSilo
) -> None:
    user = user_service.create_user(
        user=NewUser(username="new", email="New@Example.com", name="New", password="s3cret!")
    )
    assert user.is_active and user.password_usable
    assert [(e.email, e.is_verified) for e in user.useremails] == [("New@Example.com", False)]
    encoded = stored_password(control_silo, user.id)
    assert encoded.startswith("pbkdf2_sha256$") and "s3cret!" not in encoded
    assert check_password("s3cret!", encoded)
    assert not check_password("wrong", encoded)
    with control_silo.sessions() as session:
        assert session.scalars(select(EmailRow.email)).all() == ["New@Example.com"]


def test_create_user_keeps_an_imported_hash(
    user_service: UserService, control_silo: ControlSilo
) -> None:
    user = user_service.create_user(
        user=NewUser(username="imported", email="i@example.com", password_hash=SENTRY_ADMIN_HASH)
    )
    assert stored_password(control_silo, user.id) == SENTRY_ADMIN_HASH
    assert check_password("admin", stored_password(control_silo, user.id))


def test_create_user_without_password_is_unusable(
    user_service: UserService, control_silo: ControlSilo
) -> None:
    user = user_service.create_user(user=NewUser(username="nopw", email="nopw@example.com"))
    assert not user.password_usable
    assert stored_password(control_silo, user.id).startswith("!")


def test_create_user_flags(user_service: UserService) -> None:
    user = user_service.create_user(
        user=NewUser(
            username="flags",
            email="f@example.com",
            is_active=False,
            is_staff=True,
            is_superuser=True,
            is_managed=True,
            is_unclaimed=True,
        )
    )
    assert (user.is_active, user.is_staff, user.is_superuser) == (False, True, True)
    assert (user.is_managed, user.is_unclaimed) == (True, True)


def test_username_collision_ignores_case(
    user_service: UserService, make_user: MakeUser, row_counts: RowCounts
) -> None:
    make_user("Taken")
    before = row_counts()
    with pytest.raises(AlreadyExists) as raised:
        make_user("tAKEN", "other@example.com")
    assert raised.value.field == "username"
    assert row_counts() == before


@pytest.mark.parametrize(("held", "given"), [("ilker", "İLKER"), ("οδοσ", "ΟΔΟΣ")])
def test_username_collision_folds_case_as_the_database_does(
    make_user: MakeUser, row_counts: RowCounts, held: str, given: str
) -> None:
    """A name whose Python lowercase differs from the database's is still seen as taken, and
    refused as such rather than failing on the unique index."""
    make_user(held, "held@example.com")
    before = row_counts()
    with pytest.raises(AlreadyExists) as raised:
        make_user(given, "other@example.com")
    assert raised.value.field == "username"
    assert row_counts() == before


@pytest.mark.parametrize(
    ("new_user", "field"),
    [
        (NewUser(username="", email="a@example.com"), "username"),
        (NewUser(username="x" * 129, email="a@example.com"), "username"),
        (NewUser(username="has space", email="a@example.com"), "username"),
        (NewUser(username="bademail", email="not-an-email"), "email"),
        (NewUser(username="longemail", email="a" * 70 + "@example.com"), "email"),
        (NewUser(username="longname", email="a@example.com", name="n" * 201), "name"),
        (NewUser(username="emptypw", email="a@example.com", password=""), "password"),
        (
            NewUser(username="badhash", email="a@example.com", password_hash="md5$x$y"),
            "password_hash",
        ),
        (
            NewUser(username="shorthash", email="a@example.com", password_hash="pbkdf2_sha256$x"),
            "password_hash",
        ),
    ],
)
def test_create_user_rejects_bad_input_and_writes_nothing(
    user_service: UserService, row_counts: RowCounts, new_user: NewUser, field: str
) -> None:
    before = row_counts()
    with pytest.raises(InvalidArgument) as raised:
        user_service.create_user(user=new_user)
    assert raised.value.field == field
    assert row_counts() == before


def test_update_user_changes_only_the_given_fields(
    user_service: UserService, make_user: MakeUser
) -> None:
    user = make_user("upd", "upd@example.com", name="Before")
    updated = user_service.update_user(
        user_id=user.id,
        update=UserUpdate(
            name="After", avatar_type=AvatarType.GRAVATAR, avatar_url="https://a.example/x.png"
        ),
    )
    assert (updated.name, updated.email, updated.is_active) == ("After", "upd@example.com", True)
    assert updated.avatar_type is AvatarType.GRAVATAR
    assert updated.avatar_url == "https://a.example/x.png"
    moved = user_service.update_user(user_id=user.id, update=UserUpdate(email="new@example.com"))
    assert moved.email == "new@example.com"
    assert [e.email for e in moved.useremails] == ["upd@example.com", "new@example.com"]
    unchanged = user_service.update_user(user_id=user.id, update=UserUpdate())
    assert unchanged == moved
    cleared = user_service.update_user(user_id=user.id, update=UserUpdate(avatar_url=""))
    assert cleared.avatar_url is None


def test_update_user_errors(
    user_service: UserService, make_user: MakeUser, row_counts: RowCounts
) -> None:
    user = make_user("err")
    with pytest.raises(NotFound):
        user_service.update_user(user_id=55555, update=UserUpdate(name="x"))
    before = row_counts()
    with pytest.raises(InvalidArgument) as raised:
        user_service.update_user(user_id=user.id, update=UserUpdate(email="nope", name="ok"))
    assert raised.value.field == "email"
    assert row_counts() == before
    assert user_service.get_user(user_id=user.id).name == ""


def test_get_or_create_by_email(user_service: UserService, make_user: MakeUser) -> None:
    created = user_service.get_or_create_by_email(email="fresh.person@example.com")
    assert created.created
    assert created.user.email == "fresh.person@example.com"
    assert created.user.username.startswith("fresh-person-")
    assert created.user.flags & UserFlag.NEWSLETTER_CONSENT_PROMPT
    assert not created.user.password_usable
    again = user_service.get_or_create_by_email(email="FRESH.person@example.com")
    assert not again.created and again.user.id == created.user.id
    with pytest.raises(InvalidArgument) as raised:
        user_service.get_or_create_by_email(email="bad address")
    assert raised.value.field == "email"


def test_get_or_create_by_email_creates_one_user_under_a_race(
    user_service: UserService, control_silo: ControlSilo
) -> None:
    callers = 12
    barrier = threading.Barrier(callers)
    results: list[int] = []
    failures: list[BaseException] = []

    def race() -> None:
        barrier.wait()
        try:
            results.append(user_service.get_or_create_by_email(email="race@example.com").user.id)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=race) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(set(results)) == 1 and len(results) == callers
    with control_silo.sessions() as session:
        rows = session.scalars(select(UserRow.id).where(UserRow.email == "race@example.com")).all()
    assert rows == [results[0]]


def test_flush_nonce_changes_the_nonce(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    user = make_user("nonce")

    def nonce() -> str | None:
        with control_silo.sessions() as session:
            return session.get_one(UserRow, user.id).session_nonce

    user_service.flush_nonce(user_id=user.id)
    first = nonce()
    user_service.flush_nonce(user_id=user.id)
    assert first and nonce() and nonce() != first
    with pytest.raises(NotFound):
        user_service.flush_nonce(user_id=777777)


def test_verify_emails(user_service: UserService, make_user: MakeUser) -> None:
    user = make_user("ver", "Ver@Example.com")
    assert user_service.verify_user_email(user_id=user.id, email="ver@example.com") is True
    assert user_service.verify_user_email(user_id=user.id, email="ver@example.com") is False
    assert user_service.verify_user_email(user_id=user.id, email="other@example.com") is False
    other = make_user("any", "any@example.com")
    assert user_service.verify_any_email(email="ANY@example.com") is True
    assert user_service.verify_any_email(email="any@example.com") is False
    assert user_service.get_user(user_id=other.id).emails == frozenset({"any@example.com"})


def test_permissions(user_service: UserService, make_user: MakeUser) -> None:
    user = make_user("perm")
    user_service.add_permission(user_id=user.id, permission="users.admin")
    user_service.add_permission(user_id=user.id, permission="users.admin")
    user_service.add_permission(user_id=user.id, permission="options.admin")
    assert user_service.get_user(user_id=user.id).permissions == {"users.admin", "options.admin"}
    user_service.remove_permission(user_id=user.id, permission="users.admin")
    user_service.remove_permission(user_id=user.id, permission="never.granted")
    assert user_service.get_user(user_id=user.id).permissions == {"options.admin"}
    with pytest.raises(NotFound):
        user_service.add_permission(user_id=123456, permission="users.admin")
    with pytest.raises(InvalidArgument) as raised:
        user_service.add_permission(user_id=user.id, permission="p" * 33)
    assert raised.value.field == "permission"


def test_errors_are_the_same_exception_both_ways(user_service: UserService) -> None:
    """The remote client raises exactly what the local implementation raises."""
    with pytest.raises(SiloError) as raised:
        user_service.get_user(user_id=31337)
    assert raised.value == NotFound("no user has id 31337", field="user_id")


def test_roles(user_service: UserService, make_user: MakeUser, row_counts: RowCounts) -> None:
    user = make_user("boss")
    user_service.add_user_role(user_id=user.id, role="Super Admin")
    user_service.add_user_role(user_id=user.id, role="Super Admin")
    assert user_service.get_user(user_id=user.id).roles == frozenset(
        {"broadcasts.admin", "users.admin", "options.admin"}
    )
    before = row_counts()
    with pytest.raises(NotFound) as no_role:
        user_service.add_user_role(user_id=user.id, role="Emperor")
    assert no_role.value.field == "role"
    with pytest.raises(NotFound) as no_user:
        user_service.add_user_role(user_id=123123, role="Super Admin")
    assert no_user.value.field == "user_id"
    assert row_counts() == before
    user_service.remove_user_role(user_id=user.id, role="Super Admin")
    assert user_service.get_user(user_id=user.id).roles == frozenset()


def test_update_password_and_privileges(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    user = make_user("promote")
    updated = user_service.update_user(
        user_id=user.id, update=UserUpdate(password="n3w-secret", is_staff=True, is_superuser=True)
    )
    assert updated.password_usable and updated.is_staff and updated.is_superuser
    assert check_password("n3w-secret", stored_password(control_silo, user.id))
    with pytest.raises(InvalidArgument) as empty:
        user_service.update_user(user_id=user.id, update=UserUpdate(password=""))
    assert empty.value.field == "password"
    assert check_password("n3w-secret", stored_password(control_silo, user.id))
