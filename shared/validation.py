"""Input checks every entry point shares; each raises ``InvalidArgument`` naming the field."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from shared.errors import InvalidArgument

MAX_LIST_LENGTH = 1000
MAX_EMAIL_LENGTH = 75
MAX_USERNAME_LENGTH = 128

# Deliberately plain: one @, no spaces, a dotted domain of letters, digits and hyphens (or
# localhost). What a mail server accepts is settled by sending to it, not by a regex.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:localhost|(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)


def email(value: str, field: str = "email") -> str:
    """A well-formed address of at most 75 characters, returned stripped."""
    value = value.strip()
    if not value:
        raise InvalidArgument("is required", field=field)
    if len(value) > MAX_EMAIL_LENGTH:
        raise InvalidArgument(f"is longer than {MAX_EMAIL_LENGTH} characters", field=field)
    # fullmatch: ``$`` would also match before a final newline.
    if not _EMAIL.fullmatch(value):
        raise InvalidArgument(f"{value!r} is not a valid email address", field=field)
    return value


def text(value: str, field: str, *, max_length: int, required: bool = True) -> str:
    """A string of at most ``max_length`` characters, non-blank when required."""
    if required and not value.strip():
        raise InvalidArgument("is required", field=field)
    if len(value) > max_length:
        raise InvalidArgument(f"is longer than {max_length} characters", field=field)
    if "\x00" in value:
        raise InvalidArgument("contains a NUL character", field=field)
    return value


def username(value: str, field: str = "username") -> str:
    """A username: 1 to 128 characters, no surrounding or inner whitespace."""
    text(value, field, max_length=MAX_USERNAME_LENGTH)
    if any(character.isspace() for character in value):
        raise InvalidArgument("must not contain whitespace", field=field)
    return value


def positive_id(value: int, field: str) -> int:
    """An id, which is always positive."""
    if value <= 0:
        raise InvalidArgument("must be a positive id", field=field)
    return value


def bounded_list(values: Sequence[Any], field: str, *, required: bool = False) -> list[Any]:
    """A list of at most 1000 entries (and at least one when required)."""
    if required and not values:
        raise InvalidArgument("needs at least one entry", field=field)
    if len(values) > MAX_LIST_LENGTH:
        raise InvalidArgument(
            f"has {len(values)} entries; at most {MAX_LIST_LENGTH} are allowed", field=field
        )
    return list(values)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_text(value: str, field: str, *, object_only: bool = False) -> Any:
    """Parses strict JSON text (``NaN`` and ``Infinity`` are not JSON, nor is a NUL character);
    with ``object_only`` the value must be an object."""
    if "\x00" in value:
        raise InvalidArgument("contains a NUL character", field=field)
    try:
        parsed = json.loads(value, parse_constant=_refuse_constant)
    except (ValueError, TypeError, RecursionError) as error:
        raise InvalidArgument(f"is not valid JSON ({error})", field=field) from None
    if object_only and not isinstance(parsed, dict):
        raise InvalidArgument("must be a JSON object", field=field)
    return parsed


def request_strings(message: Message) -> None:
    """The checks every request gets at the edge, before any service runs: no NUL character in
    any string (``no_nul_characters``), and no control character in a slug field (``slug``,
    ``*_slug``, ``*_slugs``), so that a pattern check further in cannot be passed by a trailing
    line break (``$`` matches before one)."""
    no_nul_characters(message)
    _bare_slugs(message)


def carries_strings(descriptor: Descriptor) -> bool:
    """Whether a message of this type can hold a string anywhere (in its own fields, map keys or
    values, or nested messages): a request that cannot needs none of ``request_strings``'s
    checks. Decided once per type; a type that contains itself counts as carrying strings."""
    known = _CARRIES_STRINGS.get(descriptor.full_name)
    if known is None:
        _CARRIES_STRINGS[descriptor.full_name] = True  # while deciding: a cycle checks
        known = any(
            field.type == FieldDescriptor.TYPE_STRING
            or (field.message_type is not None and carries_strings(field.message_type))
            for field in descriptor.fields
        )
        _CARRIES_STRINGS[descriptor.full_name] = known
    return known


_CARRIES_STRINGS: dict[str, bool] = {}


def _is_slug_field(name: str) -> bool:
    return name in {"slug", "slugs"} or name.endswith(("_slug", "_slugs"))


def _bare_slugs(message: Message) -> None:
    for descriptor, value in message.ListFields():
        if descriptor.type == FieldDescriptor.TYPE_STRING and _is_slug_field(descriptor.name):
            texts = value if _is_repeated(descriptor) else [value]
            for text in texts:
                if not text.isprintable():
                    raise InvalidArgument(
                        "must not contain control characters (a line break, a tab, ...)",
                        field=descriptor.name,
                    )
        elif descriptor.type == FieldDescriptor.TYPE_MESSAGE:
            entry = descriptor.message_type
            if entry is not None and entry.GetOptions().map_entry:
                continue
            for item in value if _is_repeated(descriptor) else [value]:
                _bare_slugs(item)


def no_nul_characters(message: Message) -> None:
    """Refuses a NUL character in any string of a request message, nested ones included (the
    error names the innermost field, as the services do); no database stores them alike
    (PostgreSQL refuses them, SQLite keeps them)."""
    for descriptor, value in message.ListFields():
        if descriptor.type == FieldDescriptor.TYPE_STRING:
            strings = value if _is_repeated(descriptor) else [value]
            if any("\x00" in text for text in strings):
                raise InvalidArgument("contains a NUL character", field=descriptor.name)
        elif descriptor.type == FieldDescriptor.TYPE_MESSAGE:
            entry = descriptor.message_type
            if entry is not None and entry.GetOptions().map_entry:
                for key, item in value.items():
                    if any(isinstance(v, str) and "\x00" in v for v in (key, item)):
                        raise InvalidArgument("contains a NUL character", field=descriptor.name)
                    if isinstance(item, Message):
                        no_nul_characters(item)
            elif _is_repeated(descriptor):
                for item in value:
                    no_nul_characters(item)
            else:
                no_nul_characters(value)


def _is_repeated(descriptor: Any) -> bool:
    return bool(descriptor.is_repeated)
