"""Bulk statements both silos use: batched value lists, inserts that return ids by key, and
inserts that skip a taken unique value."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Column, Insert, Table, insert, inspect
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")

# Keeps every IN list and VALUES list well under SQLite's and PostgreSQL's bound-parameter limits.
BATCH_SIZE = 500


def batches(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``BATCH_SIZE``."""
    for start in range(0, len(values), BATCH_SIZE):
        yield values[start : start + BATCH_SIZE]


def skipping_taken(table: Table, unique: Column[Any], *returning: Column[Any]) -> dict[str, Insert]:
    """An INSERT into ``table`` per dialect name (``sqlite``, ``postgresql``) that skips a row
    whose ``unique`` value is taken (``ON CONFLICT DO NOTHING``) and returns ``returning`` of
    the rows it added: a row it skipped returns nothing, so no lookup is needed before it.
    Built once by the caller; a statement is picked by its connection's dialect."""
    return {
        dialect: builder(table)
        .on_conflict_do_nothing(index_elements=[unique])
        .returning(*returning)
        for dialect, builder in (("sqlite", sqlite_insert), ("postgresql", postgresql_insert))
    }


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
