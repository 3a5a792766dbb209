"""Input checks every entry point shares; each raises ``InvalidArgument`` naming the field."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from shared.errors import InvalidArgument

MAX_LIST_LENGTH = 1000
MAX_EMAIL_LENGTH = 75
MAX_USERNAME_LENGTH = 128

# Deliberately plain: one @, no spaces, a dotted domain of letters, digits and hyphens (or
# localhost). What a mail server accepts is settled by sending to it, not by a regex.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:localhost|(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$"
)


def email(value: str, field: str = "email") -> str:
    """A well-formed address of at most 75 characters, returned stripped."""
    value = value.strip()
    if not value:
        raise InvalidArgument("is required", field=field)
    if len(value) > MAX_EMAIL_LENGTH:
        raise InvalidArgument(f"is longer than {MAX_EMAIL_LENGTH} characters", field=field)
    if not _EMAIL.match(value):
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


def json_text(value: str, field: str, *, object_only: bool = False) -> Any:
    """Parses JSON text; with ``object_only`` the value must be an object."""
    try:
        parsed = json.loads(value)
    except (ValueError, TypeError) as error:
        raise InvalidArgument(f"is not valid JSON ({error})", field=field) from None
    if object_only and not isinstance(parsed, dict):
        raise InvalidArgument("must be a JSON object", field=field)
    return parsed
