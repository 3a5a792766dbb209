"""Typed values into protobuf messages (the rules are in ``shared.wire.convert``): a plan per
message type and dataclass turns a value into the keywords of one constructor call, nested
messages as dicts of theirs."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from shared.rpc.timestamps import to_timestamp
from shared.wire.convert import (
    PLAIN_SCALARS,
    TIMESTAMP,
    FieldDescriptor,
    enum_prefix,
    field_hints,
    is_map,
    message_class,
    presence_field,
    unwrap_optional,
)


def scalar_to_wire(field: FieldDescriptor, value: Any) -> Any:
    """The wire value of a scalar or enum field."""
    if field.enum_type is not None:
        if not isinstance(value, enum.Enum):
            return int(value)
        name = enum_prefix(field.enum_type) + value.name
        wire = field.enum_type.values_by_name.get(name)
        if wire is None:
            raise ValueError(f"{field.enum_type.full_name} has no value {name}")
        return wire.number
    if isinstance(value, enum.Enum):
        return value.value
    return value


def value_to_message(descriptor: Descriptor, value: Any) -> Message:
    """The message of type ``descriptor`` carrying ``value`` (a dataclass or a datetime)."""
    if descriptor.full_name == TIMESTAMP:
        return to_timestamp(value)
    return message_class(descriptor)(**message_fields(descriptor, value))


def message_fields(
    descriptor: Descriptor, value: Any, wire_names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The constructor keywords of a message of type ``descriptor`` carrying the dataclass
    ``value``: each field named like one of its attributes (``wire_names`` renames attributes:
    python name -> wire name) that is not None, nested messages as dicts of their own fields, so
    that one constructor call builds the whole message. Of a oneof's members, the first one set
    in ``value`` wins. The plan is made once per message type, dataclass and renaming."""
    key = (descriptor, type(value), tuple(wire_names.items()) if wire_names else ())
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS.setdefault(key, _plan(descriptor, type(value), wire_names))
    return plan(value)


def merge_keywords(
    descriptor: Descriptor, held: dict[str, Any], given: Mapping[str, Any], *, keep_oneofs: bool
) -> None:
    """Adds the constructor keywords ``given`` to those ``held`` for a message of type
    ``descriptor``, as setting those fields on the message ``held`` builds would: a scalar is
    replaced (by a zero value too), a nested message merged field by field, lists and maps
    appended to. A oneof member replaces another member held, except with ``keep_oneofs``, where
    a oneof with a member held keeps it (nested messages always keep theirs)."""
    if not held:
        held.update(given)
        return
    fields = descriptor.fields_by_name
    for name, item in given.items():
        field = fields[name]
        oneof = field.containing_oneof
        if oneof is not None:
            members = [member.name for member in oneof.fields if member.name in held]
            if members and keep_oneofs:
                continue
            for member in members:
                if member != name:  # the same member is merged into below
                    del held[member]
        if name not in held:
            held[name] = item
        elif is_map(field):
            held[name] = {**held[name], **item}
        elif field.is_repeated:
            held[name] = [*held[name], *item]
        elif field.message_type is not None:
            nested = dict(held[name])
            merge_keywords(field.message_type, nested, item, keep_oneofs=True)
            held[name] = nested
        else:
            held[name] = item


def field_keywords(field: FieldDescriptor, value: Any) -> dict[str, Any]:
    """The constructor keywords that put ``value`` (not None) in ``field``: the field's own and,
    for a repeated field whose message has a ``has_`` bool for it, that bool."""
    keywords = {field.name: wire_value(field, value)}
    presence = presence_field(field)
    if presence is not None:
        keywords[presence] = True
    return keywords


def wire_value(field: FieldDescriptor, value: Any) -> Any:
    """What a message constructor takes for ``field`` to carry ``value`` (not None): a scalar,
    a list, or a dict of a nested message's fields."""
    to_wire = _TO_WIRE.get(field)
    if to_wire is None:
        to_wire = _TO_WIRE.setdefault(field, _to_wire(field))
    return to_wire(value)


# A value (not None) as a message constructor takes it for one field.
_ToWire = Callable[[Any], Any]
# The constructor keywords of a message carrying a dataclass value.
_Plan = Callable[[Any], dict[str, Any]]
_PLANS: dict[tuple[Any, type[Any], tuple[tuple[str, str], ...]], _Plan] = {}
_TO_WIRE: dict[Any, _ToWire] = {}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The seconds of a Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
_MIN_SECONDS = -62_135_596_800
_MAX_SECONDS = 253_402_300_799


def _plan(descriptor: Descriptor, cls: type[Any], wire_names: Mapping[str, str] | None) -> _Plan:
    fields = descriptor.fields_by_name
    # (attribute, wire name, oneof name or None, conversion or None for a value that goes as it
    # is, name of the has_ bool or None)
    steps: list[tuple[str, str, str | None, _ToWire | None, str | None]] = []
    for name, hint in field_hints(cls).items():
        wire_name = (wire_names or {}).get(name, name)
        if wire_name not in fields:
            continue
        field = fields[wire_name]
        oneof = field.containing_oneof
        presence = presence_field(field)
        # A value typed as a plain scalar goes as it is.
        plain = _is_plain(field, hint)
        steps.append(
            (
                name,
                wire_name,
                None if oneof is None else oneof.name,
                None if plain else _to_wire(field),
                presence,
            )
        )

    def message_fields_of(value: Any) -> dict[str, Any]:
        found: dict[str, Any] = {}
        oneofs_set: set[str] = set()
        for name, wire_name, oneof, to_wire, presence in steps:
            item = getattr(value, name)
            if item is None:
                continue
            if oneof is not None:
                # Of the members of a oneof, the first one the value sets is the one sent.
                if oneof in oneofs_set:
                    continue
                oneofs_set.add(oneof)
            found[wire_name] = item if to_wire is None else to_wire(item)
            if presence is not None:
                found[presence] = True
        return found

    return message_fields_of


def _is_plain(field: FieldDescriptor, hint: Any) -> bool:
    """Whether values of type ``hint`` go into ``field`` as they are: a singular scalar field (not
    an enum) holding a value typed exactly as a str, int, bool, float or bytes."""
    inner, _ = unwrap_optional(hint)
    return (
        not field.is_repeated
        and field.message_type is None
        and field.enum_type is None
        and inner in PLAIN_SCALARS
    )


def _to_wire(field: FieldDescriptor) -> _ToWire:
    """How a value is given for ``field``, chosen once per field."""
    if is_map(field):
        value_field = field.message_type.fields_by_name["value"]
        item = _item_to_wire(value_field)
        return lambda value: {key: item(entry) for key, entry in value.items()}
    if field.is_repeated:
        item = _item_to_wire(field)

        def repeated(value: Any) -> list[Any]:
            items = sorted(value) if isinstance(value, (set, frozenset)) else value
            return [item(entry) for entry in items]

        return repeated
    return _item_to_wire(field)


def _item_to_wire(field: FieldDescriptor) -> _ToWire:
    """How one item (the value of a singular field, an element of a repeated one) is given."""
    message_type = field.message_type
    if message_type is not None:
        if message_type.full_name == TIMESTAMP:
            return _timestamp_fields
        return lambda value: message_fields(message_type, value)
    if field.enum_type is not None:
        # The wire number of each Python enum member seen in this field, decided once.
        numbers: dict[tuple[type[Any], Any], int] = {}

        def enum_number(value: Any) -> int:
            if not isinstance(value, enum.Enum):
                return int(value)
            number = numbers.get((type(value), value))
            if number is None:
                number = numbers.setdefault((type(value), value), scalar_to_wire(field, value))
            return number

        return enum_number
    return _scalar


def _scalar(value: Any) -> Any:
    if type(value) in PLAIN_SCALARS:
        return value
    if isinstance(value, enum.Enum) and not isinstance(value, (str, int)):
        # An enum member that is not also a str or an int travels as its value.
        return value.value
    return value


def _timestamp_fields(value: datetime) -> dict[str, int]:
    """The fields of the Timestamp of a datetime (a naive one taken as UTC). Raises
    ``OverflowError`` for a time before year 1 or after year 9999 in UTC, which a Timestamp
    cannot hold."""
    since = (value if value.tzinfo is not None else value.replace(tzinfo=UTC)) - _EPOCH
    seconds = since.days * 86_400 + since.seconds
    if not _MIN_SECONDS <= seconds <= _MAX_SECONDS:
        raise OverflowError(f"{value.isoformat()} is out of the range of a timestamp in UTC")
    return {"seconds": seconds, "nanos": since.microseconds * 1_000}
