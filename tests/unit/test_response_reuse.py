"""A result handed out again (a cached value) keeps its response message; anything that could
have changed since is converted afresh."""

from __future__ import annotations

from dataclasses import dataclass, replace

from google.protobuf.message import Message

from shared.services.registry import USER
from shared.services.user.model import User
from shared.wire.reuse import ResponseReuse, is_deeply_immutable
from tests.unit.users import a_user

GET_USER = USER.binding.methods["get_user"]


class CountingConversion:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, result: object) -> Message:
        self.calls += 1
        return GET_USER.response_from_result(result)


def test_the_same_user_object_reuses_its_message() -> None:
    conversion = CountingConversion()
    reuse = ResponseReuse(conversion)
    ann = a_user()
    first = reuse(ann)
    assert reuse(ann) is first
    assert conversion.calls == 1
    assert first == GET_USER.response_from_result(ann)


def test_an_equal_but_new_object_is_converted_again() -> None:
    conversion = CountingConversion()
    reuse = ResponseReuse(conversion)
    reuse(a_user())
    renamed = reuse(replace(a_user(), name="Anna"))
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
    reuse = ResponseReuse(lambda result: (conversion(a_user()), result)[0])
    changing = Mutable(1)
    reuse(changing)
    changing.value = 2
    reuse(changing)
    assert conversion.calls == 2


def test_the_remembered_messages_are_bounded() -> None:
    conversion = CountingConversion()
    reuse = ResponseReuse(conversion, size=3)
    users = [a_user(name=f"U{index}") for index in range(5)]
    for user in users:
        reuse(user)
    assert len(reuse) <= 3
    assert reuse(users[-1]).user.name == "U4"  # type: ignore[attr-defined]


def test_a_result_that_is_gone_is_forgotten() -> None:
    conversion = CountingConversion()
    reuse = ResponseReuse(conversion)
    kept = a_user(name="Kept")
    reuse(kept)
    reuse(a_user(name="Gone"))  # made for one call only, as a read without a cache makes it

    assert len(reuse) == 1
    assert reuse(kept).user.name == "Kept"  # type: ignore[attr-defined]
    assert conversion.calls == 2
