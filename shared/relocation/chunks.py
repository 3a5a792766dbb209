"""One chunk of one model of an import, as the owning silo receives it, and what became of it."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.relocation.scopes import ImportScope


class MappingKind(enum.IntEnum):
    """What became of a row (Sentry's ImportKind, plus rows left out)."""

    INSERTED = 1
    EXISTING = 2
    OVERWRITE = 3
    SKIPPED = 4


@dataclass(frozen=True)
class ChunkHeader:
    """Which import, model and rows a chunk holds, and how to write them.

    ``id_map`` holds the new ids of the rows the chunk's foreign keys point at: model name ->
    {pk in the file: id here}.
    """

    import_uuid: str
    scope: ImportScope
    model: str
    min_ordinal: int
    merge_users: bool = False
    overwrite_configs: bool = False
    hide_organizations: bool = False
    dry_run: bool = False
    id_map: Mapping[str, Mapping[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class ChunkRow:
    """One record of the chunk: its pk in the file, its fields, its ordinal among its model's."""

    pk: int
    fields: dict[str, Any]
    ordinal: int


@dataclass(frozen=True)
class MappedRow:
    """One row's outcome: its id here (0 when skipped) and its new name when it was renamed."""

    old_pk: int
    new_id: int
    kind: MappingKind
    renamed_to: str = ""

    def as_json(self) -> list[Any]:
        """A compact form for the chunk record."""
        return [self.old_pk, self.new_id, int(self.kind), self.renamed_to]

    @classmethod
    def from_json(cls, value: list[Any]) -> MappedRow:
        """The row ``as_json`` wrote."""
        old_pk, new_id, kind, renamed_to = value
        return cls(int(old_pk), int(new_id), MappingKind(kind), str(renamed_to))


@dataclass(frozen=True)
class ChunkResult:
    """The chunk's rows, each with its outcome; ``replayed`` when it had been written before."""

    rows: list[MappedRow]
    replayed: bool = False
