"""Hypothesis strategies for any protobuf request, built from its message descriptor: edge ids,
NUL and huge strings, tampered page tokens, unknown enum numbers, invalid timestamps, field
masks naming real and unknown fields, and bytes that are no message at all."""

from __future__ import annotations

import base64
import json
from typing import Any, cast

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

INT64 = (-(2**63), 2**63 - 1)
INT32 = (-(2**31), 2**31 - 1)
UINT64 = (0, 2**64 - 1)
UINT32 = (0, 2**32 - 1)

_EDGE_IDS = (0, 1, -1, 2, 2**31 - 1, 2**31, -(2**31), 2**53 + 1, 2**63 - 1, -(2**63))


def _token(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


_TOKENS = (
    _token({"after": 10**30}),
    _token({"after": -1}),
    _token({"after": "x"}),
    _token({"after": 1.5}),
    _token([]),
    _token(None),
    '{"after": 1000000000000000000000000000000}',
    "!!!",
    "=",
    "eyJ",
)

_EDGE_STRINGS = (
    "",
    " ",
    "\x00",
    "acme\x00",
    "\x00admin",
    "acme\n",
    "admin\n",
    "ÄLICE",
    "älice@example.com",
    "a@example.com",
    "NaN",
    "-Infinity",
    '{"a": NaN}',
    "[1, 2",
    "null",
    "%",
    "_",
    "'; DROP TABLE organization; --",
    "\u202e\u0000\uffff",
    *_TOKENS,
)

_EDGE_SECONDS = (0, -1, 1, 253402300799, 253402300800, -62135596800, -62135596801, 2**63 - 1)
_EDGE_NANOS = (0, -1, 999_999_999, 1_000_000_000, 2**31 - 1)


def _integers(bounds: tuple[int, int]) -> st.SearchStrategy[int]:
    low, high = bounds
    edges = [value for value in _EDGE_IDS if low <= value <= high] + [low, high]
    # Small values are the ids the seeded rows have.
    return st.one_of(st.sampled_from(edges), st.integers(max(low, 0), 12), st.integers(low, high))


def _repeated(length: int) -> str:
    return "a" * length


# Built, not listed, so that a failing example's report stays short.
_LONG_STRINGS = st.sampled_from((50, 51, 65, 75, 201, 256, 20_000)).map(_repeated)


def _strings(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_EDGE_STRINGS + names),
        _LONG_STRINGS,
        _LONG_STRINGS.map(lambda local: local + "@example.com"),
        st.text(max_size=40),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_\n\x00", max_size=60),
    )


_SCALARS: dict[int, st.SearchStrategy[Any]] = {
    FieldDescriptor.TYPE_INT64: _integers(INT64),
    FieldDescriptor.TYPE_SINT64: _integers(INT64),
    FieldDescriptor.TYPE_SFIXED64: _integers(INT64),
    FieldDescriptor.TYPE_INT32: _integers(INT32),
    FieldDescriptor.TYPE_SINT32: _integers(INT32),
    FieldDescriptor.TYPE_SFIXED32: _integers(INT32),
    FieldDescriptor.TYPE_UINT64: _integers(UINT64),
    FieldDescriptor.TYPE_FIXED64: _integers(UINT64),
    FieldDescriptor.TYPE_UINT32: _integers(UINT32),
    FieldDescriptor.TYPE_FIXED32: _integers(UINT32),
    FieldDescriptor.TYPE_BOOL: st.booleans(),
    FieldDescriptor.TYPE_DOUBLE: st.floats(),
    FieldDescriptor.TYPE_FLOAT: st.floats(width=32),
    FieldDescriptor.TYPE_BYTES: st.binary(max_size=64),
}


_BY_NAME: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("token", _TOKENS),
    (
        "email",
        ("a@example.com", "ÄLICE@example.com", "a@b", "@", "a\x00@example.com", "a@example.com\n"),
    ),
    ("slug", ("acme", "acme\n", "admin\n", "-acme", "acme-", "123", "Acme", "fuzz-us")),
    ("value", ("NaN", "-Infinity", "1e999", '{"a": NaN}', "[1, 2", '"\\u0000"', "true")),
)


def _named(name: str, names: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Strings for a field: its name's edge cases first (tokens for a page token, emails for an
    email, ...), then any string."""
    for part, edges in _BY_NAME:
        if part in name:
            return st.one_of(st.sampled_from(edges), _strings(names))
    return _strings(names)


def _message_type(field: FieldDescriptor) -> Descriptor:
    if field.message_type is None:
        raise TypeError(f"{field.full_name} is not a message field")
    return field.message_type


def _value(field: FieldDescriptor, names: tuple[str, ...], depth: int) -> st.SearchStrategy[Any]:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return messages(_message_type(field), depth + 1, names)
    if field.type == FieldDescriptor.TYPE_ENUM and field.enum_type is not None:
        known = [value.number for value in field.enum_type.values]
        return st.one_of(st.sampled_from(known), _integers(INT32))
    if field.type == FieldDescriptor.TYPE_STRING:
        return _named(field.name, names)
    return _SCALARS[field.type]


def _is_map(field: FieldDescriptor) -> bool:
    return (
        field.type == FieldDescriptor.TYPE_MESSAGE and _message_type(field).GetOptions().map_entry
    )


def _field(field: FieldDescriptor, names: tuple[str, ...], depth: int) -> st.SearchStrategy[Any]:
    if _is_map(field):
        entry = _message_type(field)
        return st.dictionaries(
            _value(entry.fields_by_name["key"], names, depth),
            _value(entry.fields_by_name["value"], names, depth),
            max_size=3,
        )
    value = _value(field, names, depth)
    if field.is_repeated:
        return st.lists(value, max_size=4)
    return value


def _timestamps() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "seconds": st.one_of(st.sampled_from(_EDGE_SECONDS), _integers(INT64)),
            "nanos": st.one_of(st.sampled_from(_EDGE_NANOS), _integers(INT32)),
        },
    )


def messages(
    descriptor: Descriptor, depth: int = 0, names: tuple[str, ...] = ()
) -> st.SearchStrategy[Message]:
    """Messages of ``descriptor`` with any subset of their fields set. Strings may also be the
    names of the request's own fields, so field masks name real fields as well as unknown ones."""
    cls = GetMessageClass(descriptor)
    if descriptor.full_name == "google.protobuf.Timestamp":
        return _timestamps().map(lambda values: cls(**values))
    if depth > 3:
        return st.just(cls())
    names = names or tuple(field.name for field in descriptor.fields)
    optional = {field.name: _field(field, names, depth) for field in descriptor.fields}
    return st.fixed_dictionaries({}, optional=optional).map(lambda values: build(cls, values))


def build(cls: type[Message], values: dict[str, Any]) -> Message:
    """A message of ``cls`` with ``values`` set field by field (of a oneof, the last one set)."""
    message = cls()
    for name, value in values.items():
        field = cast(FieldDescriptor, cls.DESCRIPTOR.fields_by_name[name])
        target = getattr(message, name)
        if _is_map(field):
            for key, item in value.items():
                if isinstance(item, Message):
                    target[key].CopyFrom(item)
                else:
                    target[key] = item
        elif field.is_repeated:
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                for item in value:
                    target.add().CopyFrom(item)
            else:
                target.extend(value)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            target.CopyFrom(value)
        else:
            setattr(message, name, value)
    return message


class RawBody:
    """Request bytes that need not decode as the method's message; signed as they are."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def SerializeToString(self) -> bytes:  # noqa: N802 - the protobuf method name signing calls
        """The bytes themselves."""
        return self.body

    def __repr__(self) -> str:
        return f"RawBody({self.body!r})"


def raw_bodies() -> st.SearchStrategy[RawBody]:
    """Bytes that are mostly not a valid encoding of any message."""
    return st.one_of(
        st.binary(min_size=1, max_size=200),
        st.sampled_from([b"\xff", b"\x0a\xff\xff\xff\xff\x0f", b"\x08", b"\x12\x05ab"]),
    ).map(RawBody)
