"""Typed values into messages and back (``shared.wire.to_message``, ``from_message``): the
rules a message built in one constructor call must keep, each checked against the message's own
fields, and what reading it back gives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from google.protobuf import struct_pb2
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from shared.generated.silo.user.v1 import user_pb2
from shared.services.user.model import User, UserFilter
from shared.wire.from_message import dataclass_from_message
from shared.wire.to_message import (
    field_keywords,
    merge_keywords,
    message_fields,
    value_to_message,
)
from tests.unit.users import a_user


def _stamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def _descriptor(message_class: type[Message]) -> Descriptor:
    return cast(Descriptor, message_class.DESCRIPTOR)


def _user_message(user: User) -> user_pb2.User:
    message = value_to_message(_descriptor(user_pb2.User), user)
    assert isinstance(message, user_pb2.User)
    return message


def test_every_field_of_a_user_lands_in_its_field() -> None:
    message = _user_message(a_user())

    assert (message.id, message.username, message.email, message.name) == (
        7,
        "ada",
        "ada@example.com",
        "Ada",
    )
    assert (message.is_active, message.is_superuser, message.is_staff) == (True, True, False)
    assert message.flags == 3
    assert message.avatar_type == user_pb2.AVATAR_TYPE_UPLOAD
    assert message.date_joined == _stamp(datetime(2024, 2, 29, 13, 14, 15, 678901, tzinfo=UTC))
    # Sets go sorted, tuples in their order, nested dataclasses as nested messages.
    assert list(message.emails) == ["a@example.com", "b@example.com"]
    assert list(message.roles) == ["broadcasts.admin", "users.admin"]
    assert [(item.email, item.is_verified) for item in message.useremails] == [
        ("b@example.com", True),
        ("a@example.com", True),
    ]


def test_none_leaves_a_field_unset() -> None:
    message = _user_message(a_user())

    assert not message.HasField("last_login")
    assert not message.HasField("last_active")
    assert message.avatar_url == ""


def test_times_are_exact_before_the_epoch_and_in_other_zones() -> None:
    early = datetime(1901, 12, 13, 20, 45, 52, 1, tzinfo=UTC)
    eastern = datetime(2030, 1, 1, 0, 0, 0, 999999, tzinfo=timezone(timedelta(hours=5)))

    assert _user_message(a_user(date_joined=early)).date_joined == _stamp(early)
    assert _user_message(a_user(date_joined=eastern)).date_joined == _stamp(eastern)


def test_a_naive_time_is_taken_as_utc() -> None:
    naive = datetime(2024, 5, 6, 7, 8, 9, 10)

    message = _user_message(a_user(date_joined=naive))

    assert message.date_joined == _stamp(naive.replace(tzinfo=UTC))


def test_the_epoch_itself_is_a_set_timestamp() -> None:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)

    message = _user_message(a_user(date_joined=epoch))

    assert message.HasField("date_joined")
    assert message.date_joined.seconds == 0


def test_a_given_empty_list_sets_its_presence_bool_and_none_does_not() -> None:
    given = value_to_message(_descriptor(user_pb2.UserFilter), UserFilter(user_ids=[]))
    absent = value_to_message(_descriptor(user_pb2.UserFilter), UserFilter())

    assert isinstance(given, user_pb2.UserFilter)
    assert isinstance(absent, user_pb2.UserFilter)
    assert given.has_user_ids
    assert not absent.has_user_ids
    assert not given.has_emails


def test_a_list_given_for_a_field_sets_its_presence_bool() -> None:
    descriptor = _descriptor(user_pb2.UserFilter)

    message = user_pb2.UserFilter(
        **field_keywords(descriptor.fields_by_name["emails"], ["x@example.com"])
    )

    assert list(message.emails) == ["x@example.com"]
    assert message.has_emails


@dataclass(frozen=True)
class _Credential:
    password: str | None
    password_hash: str | None


def test_of_a_oneof_the_first_member_set_wins() -> None:
    descriptor = _descriptor(user_pb2.CreateUserRequest)
    fields = message_fields(
        descriptor, _Credential(password="secret", password_hash="pbkdf2$1$salt$hash")
    )

    message = user_pb2.CreateUserRequest(**fields)

    assert message.WhichOneof("credential") == "password"
    assert message.password == "secret"


def test_merging_keeps_a_oneof_member_already_held_when_asked_to() -> None:
    descriptor = _descriptor(user_pb2.CreateUserRequest)
    held: dict[str, Any] = {"password_hash": "pbkdf2$1$salt$hash"}

    given = message_fields(descriptor, _Credential(password="secret", password_hash=None))
    merge_keywords(descriptor, held, given, keep_oneofs=True)

    assert user_pb2.CreateUserRequest(**held).WhichOneof("credential") == "password_hash"


def test_merging_a_oneof_member_replaces_the_one_held_otherwise() -> None:
    descriptor = _descriptor(user_pb2.CreateUserRequest)
    held: dict[str, Any] = {"password_hash": "pbkdf2$1$salt$hash"}

    merge_keywords(descriptor, held, {"password": "secret"}, keep_oneofs=False)

    message = user_pb2.CreateUserRequest(**held)
    assert message.WhichOneof("credential") == "password"
    assert message.password == "secret"


def test_a_time_out_of_the_range_of_a_timestamp_in_utc_is_refused() -> None:
    # Within datetime's range, but before year 1 or after year 9999 once moved to UTC.
    for outside in (
        datetime(1, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=5))),
        datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),
    ):
        with pytest.raises(OverflowError):
            _user_message(a_user(date_joined=outside))


@dataclass(frozen=True)
class _Profile:
    name: str
    flags: int
    is_active: bool
    date_joined: datetime


def test_merging_replaces_what_the_fields_held_zero_values_included() -> None:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    descriptor = _descriptor(user_pb2.User)
    held = message_fields(
        descriptor,
        _Profile(name="Old", flags=3, is_active=True, date_joined=datetime(2024, 1, 2, 3, 4, 5, 6)),
    )

    given = message_fields(
        descriptor, _Profile(name="", flags=0, is_active=False, date_joined=epoch)
    )
    merge_keywords(descriptor, held, given, keep_oneofs=False)

    message = user_pb2.User(**held)
    assert (message.name, message.flags, message.is_active) == ("", 0, False)
    assert message.date_joined == _stamp(epoch)


def test_merging_a_time_replaces_the_time_held() -> None:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    descriptor = _descriptor(user_pb2.User)
    field = descriptor.fields_by_name["date_joined"]
    held = field_keywords(field, datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC))

    merge_keywords(descriptor, held, field_keywords(field, epoch), keep_oneofs=False)

    assert user_pb2.User(**held).date_joined == _stamp(epoch)


def test_merging_lists_appends_and_nested_messages_merge_field_by_field() -> None:
    descriptor = _descriptor(user_pb2.User)
    held: dict[str, Any] = {"emails": ["a@example.com"], "date_joined": {"seconds": 5}}

    merge_keywords(
        descriptor,
        held,
        {"emails": ["b@example.com"], "date_joined": {"nanos": 7}},
        keep_oneofs=False,
    )

    message = user_pb2.User(**held)
    assert list(message.emails) == ["a@example.com", "b@example.com"]
    assert (message.date_joined.seconds, message.date_joined.nanos) == (5, 7)


# -- from the wire ------------------------------------------------------------------------------


def test_a_user_comes_back_as_it_went() -> None:
    for user in (
        a_user(),
        a_user(last_login=datetime(1969, 7, 20, 20, 17, 40, 5, tzinfo=UTC), avatar_url="u"),
        a_user(emails=frozenset(), useremails=(), roles=frozenset()),
    ):
        assert dataclass_from_message(_user_message(user), User) == user


def test_an_unset_optional_field_reads_as_none_and_a_set_zero_as_zero() -> None:
    unset = dataclass_from_message(user_pb2.UserFilter(), UserFilter)
    zeros = dataclass_from_message(
        user_pb2.UserFilter(organization_id=0, is_active=False, query=""), UserFilter
    )

    assert (unset.organization_id, unset.is_active, unset.query) == (None, None, None)
    assert (zeros.organization_id, zeros.is_active, zeros.query) == (0, False, "")


def test_a_list_reads_as_none_unless_given_or_not_empty() -> None:
    absent = dataclass_from_message(user_pb2.UserFilter(), UserFilter)
    given_empty = dataclass_from_message(user_pb2.UserFilter(has_user_ids=True), UserFilter)
    given = dataclass_from_message(user_pb2.UserFilter(user_ids=[3, 1]), UserFilter)

    assert absent.user_ids is None
    assert given_empty.user_ids is not None
    assert list(given_empty.user_ids) == []
    assert given.user_ids is not None
    assert list(given.user_ids) == [3, 1]


def test_a_field_without_presence_reads_its_zero_value_as_none_when_optional() -> None:
    message = _user_message(a_user(avatar_url=None))

    assert message.avatar_url == ""
    assert dataclass_from_message(message, User).avatar_url is None


def test_merging_the_same_oneof_member_twice_merges_its_message() -> None:
    descriptor = _descriptor(struct_pb2.Value)
    held: dict[str, Any] = {"struct_value": {"fields": {"a": {"number_value": 1}}}}

    merge_keywords(
        descriptor,
        held,
        {"struct_value": {"fields": {"b": {"number_value": 2}}}},
        keep_oneofs=False,
    )

    assert held == {
        "struct_value": {"fields": {"a": {"number_value": 1}, "b": {"number_value": 2}}}
    }
