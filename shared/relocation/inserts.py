"""Inserting import rows once per unique key, the rows already there (or earlier in the chunk)
standing for the others."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db.bulk import batches, insert_keyed
from shared.relocation.chunks import ChunkRow, MappedRow, MappingKind
from shared.relocation.writer import ImportContext

K = TypeVar("K", bound=Hashable)


def held_ids(
    session: Session, model: Any, key_names: Sequence[str], values: Sequence[dict[str, Any]]
) -> dict[tuple[Any, ...], int]:
    """The ids of the rows of ``model`` that hold the key (``key_names`` columns) of one of
    ``values``, by key; rows are looked up by the first key column."""
    columns = [getattr(model, name) for name in key_names]
    held: dict[tuple[Any, ...], int] = {}
    for batch in batches(sorted({value[key_names[0]] for value in values})):
        query = select(*columns, model.id).where(columns[0].in_(batch))
        held.update((tuple(found[:-1]), found[-1]) for found in session.execute(query))
    return held


def insert_once(
    context: ImportContext,
    model: Any,
    *,
    rows: list[ChunkRow],
    values: list[dict[str, Any]],
    keys: list[K],
    held: dict[K, int],
    returned_key: Callable[[Any], K],
    columns: tuple[Any, ...],
    duplicate: MappingKind = MappingKind.EXISTING,
) -> tuple[list[MappedRow], dict[K, int]]:
    """Inserts the first row of each key that ``held`` (key -> id here) does not hold yet, and
    returns each row's outcome with the ids inserted by key. A row whose key is held maps to
    that id (EXISTING), or with ``duplicate=SKIPPED`` is left out. ``returned_key`` reads a key
    from the inserted ``columns`` of ``model``."""
    new: list[dict[str, Any]] = []
    first: list[bool] = []
    claimed: set[K] = set()
    for key, value in zip(keys, values, strict=True):
        is_new = key not in held and key not in claimed
        if is_new:
            claimed.add(key)
            new.append(value)
        first.append(is_new)
    inserted = insert_keyed(context.uow.session, model, new, returned_key, *columns)
    held.update(inserted)
    mapped: list[MappedRow] = []
    for row, key, is_new in zip(rows, keys, first, strict=True):
        if is_new:
            mapped.append(MappedRow(row.pk, inserted[key], MappingKind.INSERTED))
        elif duplicate is MappingKind.SKIPPED:
            mapped.append(MappedRow(row.pk, 0, MappingKind.SKIPPED))
        else:
            mapped.append(MappedRow(row.pk, held[key], duplicate))
    return mapped, inserted


def insert_by_key(
    context: ImportContext,
    model: Any,
    rows: list[ChunkRow],
    values: list[dict[str, Any]],
    key_names: tuple[str, ...],
) -> list[MappedRow]:
    """Inserts each row once per key (the ``key_names`` columns); a row whose key the database,
    or an earlier row of the chunk, holds maps to that row (EXISTING)."""
    mapped, _ = insert_once(
        context,
        model,
        rows=rows,
        values=values,
        keys=[tuple(value[name] for name in key_names) for value in values],
        held=held_ids(context.uow.session, model, key_names, values),
        returned_key=lambda returned: tuple(returned[1:]),
        columns=tuple(getattr(model, name) for name in key_names),
    )
    return mapped
