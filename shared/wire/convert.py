"""Typed values to protobuf messages and back, field by field by name, driven by type hints.

The rules, so that no service copies fields by hand:
- a dataclass field and a message field of the same name carry the same value;
- ``X | None`` is an unset field: a field with presence left unset, or the zero value of a
  field without presence (an empty string, 0);
- ``datetime`` is ``google.protobuf.Timestamp``;
- a Python enum travels as a wire enum by member name (``AvatarType.UPLOAD`` is
  ``AVATAR_TYPE_UPLOAD``, whatever the numbers), or as a string field by value (``StrEnum``);
  an unspecified wire enum reads as the member numbered 0 (the stored default), except in a
  field an update mask names, where it is refused;
- sequences, sets (sent sorted) and mappings are repeated and map fields, item by item; a
  repeated field ``NAME`` has presence when the message also has a bool ``has_NAME``, so
  ``Sequence[X] | None`` tells an empty list from no list;
- a nested dataclass is a nested message.
"""

from __future__ import annotations

import dataclasses
import enum
import types
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeAlias, Union, get_args, get_origin, get_type_hints

from google.protobuf.descriptor import Descriptor, EnumDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from shared.errors import InvalidArgument
from shared.rpc.timestamps import from_timestamp, to_timestamp

TIMESTAMP = "google.protobuf.Timestamp"
# protobuf's stubs type a field descriptor as either of two classes (pure Python or upb).
FieldDescriptor: TypeAlias = Any
_NONE = type(None)


def unwrap_optional(hint: Any) -> tuple[Any, bool]:
    """``(X, True)`` for ``X | None``, else ``(hint, False)``."""
    if get_origin(hint) in (Union, types.UnionType):
        args = get_args(hint)
        rest = [arg for arg in args if arg is not _NONE]
        if len(rest) == 1 and len(args) == 2:
            return rest[0], True
    return hint, False


_FIELD_HINTS: dict[type[Any], dict[str, Any]] = {}


def field_hints(cls: type[Any]) -> dict[str, Any]:
    """The resolved type of every field of a dataclass (resolved once per class)."""
    hints = _FIELD_HINTS.get(cls)
    if hints is None:
        resolved = get_type_hints(cls)
        hints = {field.name: resolved[field.name] for field in dataclasses.fields(cls)}
        _FIELD_HINTS[cls] = hints
    return hints


def is_dataclass_type(hint: Any) -> bool:
    """Whether ``hint`` is a dataclass (the class, not an instance)."""
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def message_class(descriptor: Descriptor) -> type[Message]:
    """The generated class of a message descriptor."""
    return GetMessageClass(descriptor)


def _is_map(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def _enum_prefix(descriptor: EnumDescriptor) -> str:
    # buf's STANDARD rules name every value after its enum: AVATAR_TYPE_UNSPECIFIED, ...
    return descriptor.values_by_number[0].name.removesuffix("UNSPECIFIED")


# -- to the wire ------------------------------------------------------------------------------


def scalar_to_wire(field: FieldDescriptor, value: Any) -> Any:
    """The wire value of a scalar or enum field."""
    if field.enum_type is not None:
        if not isinstance(value, enum.Enum):
            return int(value)
        name = _enum_prefix(field.enum_type) + value.name
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


def fill_message(message: Message, value: Any, wire_names: Mapping[str, str] | None = None) -> None:
    """Sets each field of ``message`` named like an attribute of the dataclass ``value``, as
    ``message_fields`` does, replacing what the field held (a zero value too); lists are
    appended to; a oneof that already has a member set in ``message`` (or in a nested message)
    keeps it."""
    descriptor: Descriptor = message.DESCRIPTOR  # type: ignore[assignment]
    _set_fields(message, message_fields(descriptor, value, wire_names), keep_oneofs=True)


def assign(message: Message, field: FieldDescriptor, value: Any) -> None:
    """Puts ``value`` in ``message``'s ``field``, replacing what it held (a list is appended to);
    ``None`` leaves the field unset."""
    if value is None:
        return
    if field.message_type is None and not field.is_repeated:
        setattr(message, field.name, wire_value(field, value))
    else:
        _set_fields(message, field_keywords(field, value), keep_oneofs=False)


def _set_fields(message: Message, fields: dict[str, Any], *, keep_oneofs: bool) -> None:
    """Sets ``message``'s fields from constructor keywords: a scalar replaced, a nested message
    set field by field (zero values too, where merging a message would skip them), lists and
    maps merged. With ``keep_oneofs``, a oneof member already set stays."""
    if not message.ListFields():
        # Nothing to replace or keep: one constructor call does it all.
        if fields:
            message.MergeFrom(type(message)(**fields))
        return
    descriptor: Descriptor = message.DESCRIPTOR  # type: ignore[assignment]
    if keep_oneofs:
        for oneof in descriptor.oneofs:
            if message.WhichOneof(oneof.name) is not None:
                for member in oneof.fields:
                    fields.pop(member.name, None)
    merged: dict[str, Any] = {}
    for name, item in fields.items():
        field = descriptor.fields_by_name[name]
        if field.is_repeated:
            merged[name] = item
        elif field.message_type is not None:
            nested = getattr(message, name)
            nested.SetInParent()
            _set_fields(nested, item, keep_oneofs=True)
        else:
            setattr(message, name, item)
    if merged:
        message.MergeFrom(type(message)(**merged))


def field_keywords(field: FieldDescriptor, value: Any) -> dict[str, Any]:
    """The constructor keywords that put ``value`` (not None) in ``field``: the field's own and,
    for a repeated field whose message has a ``has_`` bool for it, that bool."""
    keywords = {field.name: wire_value(field, value)}
    presence = _presence_field(field) if field.is_repeated and not _is_map(field) else None
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
_PLAIN_SCALARS = frozenset({str, int, bool, float, bytes})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The seconds of a Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
_MIN_SECONDS = -62_135_596_800
_MAX_SECONDS = 253_402_300_799


def _plan(descriptor: Descriptor, cls: type[Any], wire_names: Mapping[str, str] | None) -> _Plan:
    fields = descriptor.fields_by_name
    # (attribute, wire name, oneof name or None, conversion or None for a value that goes as it
    # is, name of the has_ bool or None)
    steps: list[tuple[str, str, str | None, _ToWire | None, str | None]] = []
    for name in field_hints(cls):
        wire_name = (wire_names or {}).get(name, name)
        if wire_name not in fields:
            continue
        field = fields[wire_name]
        oneof = field.containing_oneof
        presence = _presence_field(field) if field.is_repeated and not _is_map(field) else None
        # A value typed as a plain scalar goes as it is.
        plain = _is_plain(field, field_hints(cls)[name])
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
        and inner in _PLAIN_SCALARS
    )


def _to_wire(field: FieldDescriptor) -> _ToWire:
    """How a value is given for ``field``, chosen once per field."""
    if _is_map(field):
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
    if type(value) in _PLAIN_SCALARS:
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


# -- from the wire ----------------------------------------------------------------------------


def message_to_value(message: Message, hint: Any) -> Any:
    """The typed value a message carries: a dataclass ``hint``, or a datetime."""
    if message.DESCRIPTOR.full_name == TIMESTAMP:
        return from_timestamp(message)  # type: ignore[arg-type]
    return dataclass_from_message(message, hint)


def dataclass_from_message(
    message: Message, cls: type[Any], wire_names: Mapping[str, str] | None = None
) -> Any:
    """The dataclass ``cls`` built from the fields of ``message`` named like its fields (as
    ``read`` reads each); the plan of which field goes to which attribute, and how, is made once
    per message type, dataclass and renaming."""
    descriptor: Descriptor = message.DESCRIPTOR  # type: ignore[assignment]
    key = (descriptor, cls, tuple(wire_names.items()) if wire_names else ())
    readers = _READERS.get(key)
    if readers is None:
        readers = _READERS.setdefault(key, _readers(descriptor, cls, wire_names))
    return cls(**{name: reader(message) for name, reader in readers})


# Reads one field of a message as the attribute's type.
_Reader = Callable[[Message], Any]
_READERS: dict[tuple[Any, type[Any], tuple[tuple[str, str], ...]], list[tuple[str, _Reader]]] = {}


def _readers(
    descriptor: Descriptor, cls: type[Any], wire_names: Mapping[str, str] | None
) -> list[tuple[str, _Reader]]:
    fields = descriptor.fields_by_name
    readers: list[tuple[str, _Reader]] = []
    for name, hint in field_hints(cls).items():
        wire_name = (wire_names or {}).get(name, name)
        if wire_name in fields:
            readers.append((name, _reader(fields[wire_name], hint, name)))
    return readers


def _reader(field: FieldDescriptor, hint: Any, name: str) -> _Reader:
    """``read(message, field, hint, field_name=name)`` for one field, with the common kinds
    (plain scalars, lists of them, times, nested dataclasses) decided once instead of on every
    read."""
    inner, optional = unwrap_optional(hint)
    if _is_map(field) or field.enum_type is not None:
        return lambda message: read(message, field, hint, field_name=name)
    if field.is_repeated:
        return _repeated_reader(field, inner, optional, name)
    if field.message_type is not None:
        return _message_reader(field, inner, optional)
    if inner not in _PLAIN_SCALARS:
        return lambda message: read(message, field, hint, field_name=name)
    return _scalar_reader(field, optional)


def _scalar_reader(field: FieldDescriptor, optional: bool) -> _Reader:
    wire = field.name
    if not optional:
        return lambda message: getattr(message, wire)
    if field.has_presence:
        return lambda message: getattr(message, wire) if message.HasField(wire) else None
    default = field.default_value
    return lambda message: None if (raw := getattr(message, wire)) == default else raw


def _repeated_reader(field: FieldDescriptor, hint: Any, optional: bool, name: str) -> _Reader:
    item_hint = (get_args(hint) or (Any,))[0]
    if field.message_type is not None or item_hint not in _PLAIN_SCALARS:
        return lambda message: _repeated(message, field, hint, optional, name)
    wire = field.name
    presence = _presence_field(field)
    container = _container(hint)

    def plain_items(message: Message) -> Any:
        raw = getattr(message, wire)
        if optional and not raw and presence is not None and not getattr(message, presence):
            return None
        return container(raw)

    return plain_items


def _message_reader(field: FieldDescriptor, hint: Any, optional: bool) -> _Reader:
    wire = field.name

    def convert(raw: Any) -> Any:
        return from_timestamp(raw) if timestamp else message_to_value(raw, hint)

    timestamp = field.message_type.full_name == TIMESTAMP
    if optional:
        return lambda message: convert(getattr(message, wire)) if message.HasField(wire) else None
    return lambda message: convert(getattr(message, wire))


def read(
    message: Message,
    field: FieldDescriptor,
    hint: Any,
    *,
    field_name: str | None = None,
    given: bool = False,
) -> Any:
    """The value of ``field`` typed as ``hint``. ``given`` says the caller named the field as
    set (an update mask), so an unspecified enum is an error rather than "no value"."""
    inner, optional = unwrap_optional(hint)
    name = field_name or field.name
    raw = getattr(message, field.name)
    if _is_map(field):
        _, item_hint = get_args(inner) or (Any, Any)
        value_field = field.message_type.fields_by_name["value"]
        return {
            key: _item_from_wire(value_field, item, item_hint, name) for key, item in raw.items()
        }
    if field.is_repeated:
        return _repeated(message, field, inner, optional, name)
    if field.has_presence and not message.HasField(field.name) and not given:
        return None if optional else _item_from_wire(field, raw, inner, name)
    if optional and not field.has_presence and not given and raw == field.default_value:
        return None
    if field.enum_type is not None and raw == 0:
        # UNSPECIFIED: the stored default (the member numbered 0), unless the caller named the
        # field as set, when it must say what to set it to.
        if given or not any(member.value == 0 for member in inner):
            raise InvalidArgument(f"must name a {field.enum_type.name}", field=name)
        return inner(0)
    return _item_from_wire(field, raw, inner, name)


def _repeated(
    message: Message, field: FieldDescriptor, hint: Any, optional: bool, name: str
) -> Any:
    raw = getattr(message, field.name)
    presence = _presence_field(field)
    if optional and not raw and presence is not None and not getattr(message, presence):
        return None
    item_hint = (get_args(hint) or (Any,))[0]
    return _container(hint)([_item_from_wire(field, item, item_hint, name) for item in raw])


def _presence_field(field: FieldDescriptor) -> str | None:
    """The name of the bool that says a repeated field was given, if its message has one."""
    companion = field.containing_type.fields_by_name.get(f"has_{field.name}")
    if companion is None or companion.type != companion.TYPE_BOOL:
        return None
    return str(companion.name)


def _container(hint: Any) -> Callable[[list[Any]], Any]:
    origin = get_origin(hint) or hint
    if origin in (frozenset, set):
        return frozenset if origin is frozenset else set
    if origin is tuple:
        return tuple
    return list


def _item_from_wire(field: FieldDescriptor, raw: Any, hint: Any, name: str) -> Any:
    if field.message_type is not None:
        return message_to_value(raw, hint)
    if field.enum_type is not None and isinstance(hint, type) and issubclass(hint, enum.Enum):
        wire = field.enum_type.values_by_number.get(int(raw))
        if wire is None or raw == 0:
            raise InvalidArgument(f"must name a {field.enum_type.name}", field=name)
        return hint[wire.name.removeprefix(_enum_prefix(field.enum_type))]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(raw)
        except ValueError:
            choices = ", ".join(str(member.value) for member in hint)
            raise InvalidArgument(f"{raw!r} is not one of {choices}", field=name) from None
    return raw
