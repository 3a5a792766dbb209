"""Rows to service dataclasses: each field from the row's attribute of the same name."""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from shared.wire.convert import field_hints, unwrap_optional

Value = TypeVar("Value")


def from_row(cls: type[Value], row: Any, **given: Any) -> Value:
    """The dataclass ``cls`` filled from ``row``'s attributes of the same names; ``given`` values
    stand for the fields that differ, and stored numbers or names become the field's enum."""
    values: dict[str, Any] = {}
    for name, hint in field_hints(cls).items():
        if name in given:
            values[name] = given[name]
            continue
        value = getattr(row, name)
        kind = unwrap_optional(hint)[0]
        if isinstance(kind, type) and issubclass(kind, enum.Enum) and value is not None:
            value = kind(value)
        values[name] = value
    return cls(**values)
