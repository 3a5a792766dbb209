"""Typed values to protobuf messages and back, field by field by name, driven by type hints:
the rules, and what both directions share. Values go to messages in ``shared.wire.to_message``
and come back in ``shared.wire.from_message``.

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
import types
from typing import Any, TypeAlias, Union, get_args, get_origin, get_type_hints

from google.protobuf.descriptor import Descriptor, EnumDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

TIMESTAMP = "google.protobuf.Timestamp"
# protobuf's stubs type a field descriptor as either of two classes (pure Python or upb).
FieldDescriptor: TypeAlias = Any
_NONE = type(None)
# Values of these types go into and come out of scalar fields as they are.
PLAIN_SCALARS = frozenset({str, int, bool, float, bytes})


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


def is_map(field: FieldDescriptor) -> bool:
    """Whether ``field`` is a map field."""
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def enum_prefix(descriptor: EnumDescriptor) -> str:
    """The prefix of every value name of a wire enum (buf's STANDARD rules name every value after
    its enum: AVATAR_TYPE_UNSPECIFIED, ...)."""
    return descriptor.values_by_number[0].name.removesuffix("UNSPECIFIED")


def presence_field(field: FieldDescriptor) -> str | None:
    """The name of the bool that says a repeated field (not a map) was given, if its message has
    one; None for any other field."""
    if not field.is_repeated or is_map(field):
        return None
    companion = field.containing_type.fields_by_name.get(f"has_{field.name}")
    if companion is None or companion.type != companion.TYPE_BOOL:
        return None
    return str(companion.name)
