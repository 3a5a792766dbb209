"""Protobuf messages back into typed values (the rules are in ``shared.wire.convert``): a plan
per message type and dataclass reads each field as its attribute's type."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, get_args, get_origin

from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from shared.errors import InvalidArgument
from shared.rpc.timestamps import from_timestamp
from shared.wire.convert import (
    PLAIN_SCALARS,
    TIMESTAMP,
    FieldDescriptor,
    enum_prefix,
    field_hints,
    is_map,
    presence_field,
    unwrap_optional,
)


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
    if is_map(field) or field.enum_type is not None:
        return lambda message: read(message, field, hint, field_name=name)
    if field.is_repeated:
        return _repeated_reader(field, inner, optional, name)
    if field.message_type is not None:
        return _message_reader(field, inner, optional)
    if inner not in PLAIN_SCALARS:
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
    if field.message_type is not None or item_hint not in PLAIN_SCALARS:
        return lambda message: _repeated(message, field, hint, optional, name)
    wire = field.name
    presence = presence_field(field)
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
    if is_map(field):
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
    presence = presence_field(field)
    if optional and not raw and presence is not None and not getattr(message, presence):
        return None
    item_hint = (get_args(hint) or (Any,))[0]
    return _container(hint)([_item_from_wire(field, item, item_hint, name) for item in raw])


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
        return hint[wire.name.removeprefix(enum_prefix(field.enum_type))]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(raw)
        except ValueError:
            choices = ", ".join(str(member.value) for member in hint)
            raise InvalidArgument(f"{raw!r} is not one of {choices}", field=name) from None
    return raw
