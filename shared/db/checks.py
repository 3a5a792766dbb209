"""Every string written through a session is checked against its column before any SQL is sent:
no NUL character (PostgreSQL refuses them, SQLite keeps them) and no more characters than the
column holds (PostgreSQL refuses, SQLite would store them). Both backends thus refuse the same
values, with ``InvalidArgument`` naming the column, and the transaction writes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, String, Table, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from shared.errors import InvalidArgument


def check_value(column: Column[Any], value: Any, field: str | None = None) -> None:
    """Raises ``InvalidArgument`` (naming ``field``, else the column) when ``value`` cannot be
    stored in ``column`` alike on every backend."""
    if not isinstance(value, str) or not isinstance(column.type, String):
        return
    name = field or column.key
    if "\x00" in value:
        raise InvalidArgument("contains a NUL character", field=name)
    length = column.type.length
    if length is not None and len(value) > length:
        raise InvalidArgument(f"is longer than {length} characters", field=name)


def check_row(table: Table, row: Mapping[str, Any]) -> None:
    """Checks each string of ``row`` (values by column name) against its column of ``table``,
    as a session checks the rows it writes: for a statement run on its connection instead."""
    for key, value in row.items():
        column = table.c.get(key) if isinstance(key, str) else None
        if column is not None:
            check_value(column, value)


def _check_rows(table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    for row in rows:
        check_row(table, row)


@event.listens_for(Session, "before_flush")
def _check_flushed_objects(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    for instance in (*session.new, *session.dirty):
        mapper = inspect(instance).mapper
        for attribute in mapper.column_attrs:
            for column in attribute.columns:
                if isinstance(column, Column):
                    check_value(column, getattr(instance, attribute.key, None), attribute.key)


@event.listens_for(Session, "do_orm_execute")
def _check_executed_rows(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update):
        return
    table = getattr(state.statement, "table", None)
    if not isinstance(table, Table):
        return
    parameters = state.parameters
    rows: list[Mapping[str, Any]]
    if parameters is None:
        rows = []
    elif isinstance(parameters, Mapping):
        rows = [parameters]
    else:
        rows = list(parameters)
    _check_rows(table, rows)
    # Values given in the statement itself (``insert(...).values(...)``).
    for column, value in _statement_values(state):
        check_value(column, value)


def _statement_values(state: ORMExecuteState) -> list[tuple[Column[Any], Any]]:
    values: list[tuple[Column[Any], Any]] = []
    compiled_parameters = getattr(state.statement, "_values", None) or {}
    for key, value in compiled_parameters.items():
        column = key if isinstance(key, Column) else None
        literal = getattr(value, "value", None)
        if column is not None and isinstance(literal, str):
            values.append((column, literal))
    return values
