"""Every row of the file an import has passed: its pk there, its id here and what became of it,
kept compactly (pks of a model arrive ascending, so parallel arrays and bisection suffice)."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from dataclasses import dataclass, field

from shared.relocation.chunks import MappingKind


@dataclass
class _ModelIds:
    old: array[int] = field(default_factory=lambda: array("q"))
    new: array[int] = field(default_factory=lambda: array("q"))
    kinds: bytearray = field(default_factory=bytearray)


class IdMap:
    """Old pk -> (new id, kind) per model; a row left out is recorded as SKIPPED with id 0."""

    def __init__(self) -> None:
        self._models: dict[str, _ModelIds] = {}

    def record(self, model: str, old_pk: int, new_id: int, kind: MappingKind) -> None:
        """Records a row; rows of a model must be recorded in ascending pk order."""
        ids = self._models.setdefault(model, _ModelIds())
        if ids.old and old_pk <= ids.old[-1]:
            raise ValueError(f"{model} pk {old_pk} recorded out of order")
        ids.old.append(old_pk)
        ids.new.append(new_id)
        ids.kinds.append(int(kind))

    def lookup(self, model: str, old_pk: int) -> tuple[int, MappingKind] | None:
        """The row's id here and kind, or None when the file had no such row (so far)."""
        ids = self._models.get(model)
        if ids is None:
            return None
        index = bisect_left(ids.old, old_pk)
        if index == len(ids.old) or ids.old[index] != old_pk:
            return None
        return ids.new[index], MappingKind(ids.kinds[index])
