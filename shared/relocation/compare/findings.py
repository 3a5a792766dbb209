"""What a comparison of two exports reports: Sentry's ``ComparatorFinding`` shape."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class Kind(enum.StrEnum):
    """The findings about the files as a whole (comparators name their own kinds after
    themselves, as Sentry's ``ComparatorFindingKind`` does)."""

    UNKNOWN = "Unknown"
    UNORDERED_INPUT = "UnorderedInput"
    UNEQUAL_COUNTS = "UnequalCounts"
    UNEQUAL_JSON = "UnequalJSON"


@dataclass(frozen=True)
class ComparatorFinding:
    """One difference: its kind, the model and ordinal (the row's place among its model's rows
    once both sides are put in the same order) it is about, the pk on each side, and a reason."""

    kind: str
    model: str
    reason: str
    ordinal: int | None = None
    left_pk: int | None = None
    right_pk: int | None = None

    def as_json(self) -> dict[str, Any]:
        """Sentry's finding shape."""
        return {
            "finding": "ComparatorFinding",
            "kind": self.kind,
            "on": {"model": self.model, "ordinal": self.ordinal},
            "left_pk": self.left_pk,
            "right_pk": self.right_pk,
            "reason": self.reason,
        }

    def __str__(self) -> str:
        where = self.model if self.ordinal is None else f"{self.model} #{self.ordinal}"
        pks = [
            f"{side} pk {pk}"
            for side, pk in (("left", self.left_pk), ("right", self.right_pk))
            if pk is not None
        ]
        if pks:
            where += f" ({', '.join(pks)})"
        return f"{self.kind} on {where}: {self.reason}"


def write_comparator_findings(path: Path, findings: Iterable[ComparatorFinding]) -> None:
    """Writes findings as a JSON list (an empty list when the files are equal)."""
    path.write_text(json.dumps([f.as_json() for f in findings], indent=2) + "\n")
