"""Reading the typed fields of one record, with a finding that names the record and the field for
a value that is missing or of the wrong type."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime
from typing import Any

from shared.relocation.chunks import ChunkRow
from shared.relocation.findings import Finding, FindingKind, RelocationError

_MISSING = object()


class RowFields:
    """Typed access to a row's ``fields``; every refusal is a ValidationError finding."""

    def __init__(self, model: str, row: ChunkRow) -> None:
        self.model = model
        self.row = row

    def invalid(self, field: str, reason: str) -> RelocationError:
        """The error for a bad value of ``field``."""
        return RelocationError(
            Finding(
                FindingKind.VALIDATION_ERROR,
                reason,
                model=self.model,
                ordinal=self.row.ordinal,
                left_pk=self.row.pk,
                field=field,
            )
        )

    def _get(self, field: str, required: bool) -> Any:
        value = self.row.fields.get(field, _MISSING)
        if value is _MISSING:
            if required:
                raise self.invalid(field, "is required")
            return None
        return value

    def text(self, field: str, *, max_length: int, required: bool = True, default: str = "") -> str:
        """A string of at most ``max_length`` characters (``default`` when absent and optional)."""
        value = self._get(field, required)
        if value is None:
            if required:
                raise self.invalid(field, "may not be null")
            return default
        if not isinstance(value, str):
            raise self.invalid(field, f"must be a string, not {type(value).__name__}")
        if len(value) > max_length:
            raise self.invalid(field, f"is longer than {max_length} characters")
        if "\x00" in value:
            raise self.invalid(field, "contains a NUL character")
        return value

    def optional_text(self, field: str, *, max_length: int) -> str | None:
        """A string or null."""
        value = self._get(field, required=False)
        return None if value is None else self.text(field, max_length=max_length)

    def boolean(self, field: str, *, default: bool | None = None) -> bool:
        """A JSON boolean; ``default`` when absent (required when there is no default)."""
        value = self._get(field, required=default is None)
        if value is None:
            if default is None:
                raise self.invalid(field, "may not be null")
            return default
        if not isinstance(value, bool):
            raise self.invalid(field, f"must be a boolean, not {type(value).__name__}")
        return value

    def optional_boolean(self, field: str) -> bool | None:
        """A boolean or null."""
        value = self._get(field, required=False)
        return None if value is None else self.boolean(field)

    def integer(self, field: str, *, default: int | None = None) -> int:
        """A JSON integer (or a decimal string, as bitfields are written)."""
        value = self._get(field, required=default is None)
        if value is None:
            if default is None:
                raise self.invalid(field, "may not be null")
            return default
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.invalid(field, f"must be an integer, not {type(value).__name__}")
        if not -(2**63) <= value < 2**63:
            raise self.invalid(field, "is out of range")
        return value

    def optional_integer(self, field: str) -> int | None:
        """An integer or null."""
        value = self._get(field, required=False)
        return None if value is None else self.integer(field)

    def time(self, field: str, *, default: datetime | None = None) -> datetime:
        """A UTC datetime written as ISO 8601 (with or without milliseconds, ``Z`` or offset)."""
        value = self._get(field, required=default is None)
        if value is None:
            if default is None:
                raise self.invalid(field, "may not be null")
            return default
        if not isinstance(value, str):
            raise self.invalid(field, f"must be a date-time string, not {type(value).__name__}")
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise self.invalid(field, f"{value[:40]!r} is not an ISO 8601 date-time") from None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

    def optional_time(self, field: str) -> datetime | None:
        """A datetime or null."""
        value = self._get(field, required=False)
        return None if value is None else self.time(field)

    def json_text(self, field: str, *, required: bool = True) -> str:
        """A value kept as JSON text: a string holding JSON is kept as written, any other JSON
        value is serialized (options are written both ways)."""
        value = self._get(field, required)
        if isinstance(value, str):
            try:
                json.loads(value)
            except ValueError:
                return json.dumps(value)
            return value
        return json.dumps(value)

    def json_object(self, field: str) -> dict[str, Any]:
        """A JSON object, given as an object or as JSON text of one (absent or empty: ``{}``)."""
        value = self._get(field, required=False)
        if value in (None, ""):
            return {}
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise self.invalid(field, "is not JSON") from None
        if not isinstance(value, dict):
            raise self.invalid(field, "must be a JSON object")
        return value

    def string_list(self, field: str) -> list[str]:
        """A list of strings, given as a list, as JSON text, or as Python's text of one (Sentry
        writes array fields as ``"['a', 'b']"``)."""
        value = self._get(field, required=False)
        if value in (None, ""):
            return []
        if isinstance(value, str):
            try:
                value = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                raise self.invalid(field, "is not a list of strings") from None
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self.invalid(field, "is not a list of strings")
        return list(value)
