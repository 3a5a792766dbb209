"""A result handed out again (a cached value) keeps its response message; anything that could
have changed since is converted afresh."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from google.protobuf.message import Message

from shared.services.registry import USER
from shared.services.user.model import AvatarType, User, UserEmail
from shared.wire.reuse import ResponseReuse, is_deeply_immutable

GET_USER = USER.binding.methods["get_user"]


def _user(name: str = "Ann") -> User:
    return User(
        id=7,
        username="ann",
        email="ann@example.com",
        name=name,
        is_active=True,
        is_staff=False,
        is_superuser=False,
        is_managed=False,
        is_unclaimed=False,
        is_password_expired=False,
        password_usable=True,
        date_joined=datetime(2024, 1, 2, tzinfo=UTC),
        last_login=None,
        last_active=None,
        flags=0,
        avatar_type=AvatarType.LETTER_AVATAR,
        avatar_url=None,
        emails=frozenset({"ann@example.com"}),
        useremails=(UserEmail("ann@example.com", True),),
        permissions=frozenset(),
        roles=frozenset(),
    )


class CountingConversion:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, result: object) -> Message:
        self.calls += 1
        return GET_USER.response_from_result(result)


def test_the_same_user_object_reuses_its_message() -> None:
    conversion = CountingConversion()
    reuse = ResponseReuse(conversion)
    ann = _user()
    first = reuse(ann)
    assert reuse(ann) is first
    assert conversion.calls == 1
    assert first == GET_USER.response_from_result(ann)


def test_an_equal_but_new_object_is_converted_again() -> None:
    conversion = CountingConversion()
    reuse = ResponseReuse(conversion)
    reuse(_user())
    renamed = reuse(replace(_user(), name="Anna"))
    assert conversion.calls == 2
    assert renamed.user.name == "Anna"  # type: ignore[attr-defined]


@dataclass
class Mutable:
    value: int


@dataclass(frozen=True)
class FrozenWithList:
    values: list[int]


@dataclass(frozen=True)
class Nested:
    inner: tuple[FrozenWithList, ...]


def test_only_types_immutable_all_the_way_down_are_reused() -> None:
    assert is_deeply_immutable(User)
    assert not is_deeply_immutable(Mutable)
    assert not is_deeply_immutable(FrozenWithList)
    assert not is_deeply_immutable(Nested)
    assert not is_deeply_immutable(list[User])
    conversion = CountingConversion()
    reuse = ResponseReuse(lambda result: (conversion(_user()), result)[0])
    changing = Mutable(1)
    reuse(changing)
    changing.value = 2
    reuse(changing)
    assert conversion.calls == 2


def test_the_remembered_messages_are_bounded() -> None:
    conversion = CountingConversion()
    reuse = ResponseReuse(conversion, size=3)
    users = [_user(f"U{index}") for index in range(5)]
    for user in users:
        reuse(user)
    assert len(reuse) <= 3
    assert reuse(users[-1]).user.name == "U4"  # type: ignore[attr-defined]


def test_a_result_that_is_gone_is_forgotten() -> None:
    conversion = CountingConversion()
    reuse = ResponseReuse(conversion)
    kept = _user("Kept")
    reuse(kept)
    reuse(_user("Gone"))  # made for one call only, as a read without a cache makes it

    assert len(reuse) == 1
    assert reuse(kept).user.name == "Kept"  # type: ignore[attr-defined]
    assert conversion.calls == 2
