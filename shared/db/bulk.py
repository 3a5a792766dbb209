"""Bulk statements both silos use: batched value lists and inserts that return ids by key."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import insert, inspect
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")

# Keeps every IN list and VALUES list well under SQLite's and PostgreSQL's bound-parameter limits.
BATCH_SIZE = 500


def batches(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``BATCH_SIZE``."""
    for start in range(0, len(values), BATCH_SIZE):
        yield values[start : start + BATCH_SIZE]


def _column_names(model: type[Any]) -> dict[str, str]:
    # Values name attributes; Core takes column names, and Core drops a key it does not know
    # (``UserRow.name`` is the column first_name).
    return {
        attribute.key: attribute.columns[0].key
        for attribute in inspect(model).column_attrs
        if attribute.key != attribute.columns[0].key
    }


def _as_columns(
    batch: Sequence[dict[str, Any]], renamed: dict[str, str]
) -> Sequence[dict[str, Any]]:
    if not renamed:
        return batch
    return [{renamed.get(name, name): v for name, v in value.items()} for value in batch]


def insert_rows(session: Session, model: type[Any], values: Sequence[dict[str, Any]]) -> None:
    """Inserts ``values`` (by attribute name) in multi-row Core statements: no identity map, a
    third cheaper than the ORM's bulk path."""
    statement = insert(model.__table__)
    connection = session.connection()
    renamed = _column_names(model)
    for batch in batches(values):
        connection.execute(statement, _as_columns(batch, renamed))


def insert_keyed(
    session: Session,
    model: type[Any],
    values: Sequence[dict[str, Any]],
    key: Callable[[Any], Hashable],
    *columns: InstrumentedAttribute[Any],
) -> dict[Any, int]:
    """Inserts ``values`` like ``insert_rows`` and returns the new ids by ``key`` of the returned
    ``columns``. Matching by a unique key, rather than asking for the rows in order, keeps
    SQLite's multi-row insert instead of one statement per row."""
    table = model.__table__
    statement = insert(table).returning(table.c.id, *(table.c[column.key] for column in columns))
    connection = session.connection()
    renamed = _column_names(model)
    ids: dict[Any, int] = {}
    for batch in batches(values):
        for returned in connection.execute(statement, _as_columns(batch, renamed)):
            ids[key(returned)] = returned.id
    return ids
