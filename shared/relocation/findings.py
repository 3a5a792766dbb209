"""What an import or export reports about its input: findings in Sentry's JSON shape."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class FindingKind(enum.StrEnum):
    """Why a relocation stopped; the names are Sentry's ``RpcImportErrorKind``."""

    DESERIALIZATION_FAILED = "DeserializationFailed"
    VALIDATION_ERROR = "ValidationError"
    INTEGRITY_ERROR = "IntegrityError"
    UNKNOWN_MODEL = "UnknownModel"
    UNEXPECTED_MODEL = "UnexpectedModel"
    INVALID_MIN_ORDINAL = "InvalidMinOrdinal"
    MISSING_IMPORT_UUID = "MissingImportUUID"
    DATABASE_ERROR = "DatabaseError"
    UNKNOWN = "Unknown"


@dataclass(frozen=True)
class Finding:
    """One problem: its kind, the model and ordinal (1-based position among that model's rows
    in the file) it is about, the pk in the file, the field at fault, and a reason."""

    kind: FindingKind
    reason: str
    model: str = ""
    ordinal: int | None = None
    left_pk: int | None = None
    field: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Sentry's finding shape (``field`` is Silo's addition)."""
        return {
            "finding": f"Import{self.kind.value}",
            "kind": self.kind.value,
            "on": {"model": self.model, "ordinal": self.ordinal},
            "left_pk": self.left_pk,
            "right_pk": None,
            "field": self.field,
            "reason": self.reason,
        }

    def __str__(self) -> str:
        if not self.model and self.field and self.field.startswith("--"):
            return f"{self.kind.value} in option {self.field}: {self.reason}"
        where = self.model or "the file"
        if self.left_pk is not None:
            where += f" pk {self.left_pk}"
        elif self.ordinal is not None:
            where += f" #{self.ordinal}"
        if self.field:
            where += f" field {self.field!r}"
        return f"{self.kind.value} in {where}: {self.reason}"


class RelocationError(Exception):
    """Stops a relocation: the input (or the target) holds a problem described by ``finding``."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(str(finding))
        self.finding = finding


def write_findings(path: Path, findings: Iterable[Finding]) -> None:
    """Writes findings as a JSON list (an empty list when there are none)."""
    path.write_text(json.dumps([f.as_json() for f in findings], indent=2) + "\n")
