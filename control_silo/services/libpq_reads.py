"""Reads on a PostgreSQL connection straight through libpq: each statement prepared once per
connection, then run with one blocking ``PQexecPrepared`` (one round trip, the GIL released
while it waits), its text results converted by column type. This skips the driver's cursor,
adaptation and non-blocking wait loop, which cost more than the statement on a hot read.

Statements take one parameter, ``$1``: an int, or a list of ints (sent as an array literal)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg import errors, pq

from shared.db.engine import POSTGRESQL_SESSION

# Text-format values by column type (pg_type oids); any other type is read as text.
_INTEGERS = (20, 21, 23)  # int8, int2, int4
_BOOL = 16
_TIMESTAMPTZ = 1184
_TEXT = 25


def _text(value: bytes) -> str:
    return value.decode()


def _bool(value: bytes) -> bool:
    return value == b"t"


def _timestamp(value: bytes) -> datetime:
    return datetime.fromisoformat(value.decode())


def _converter(type_oid: int) -> Callable[[bytes], Any]:
    if type_oid in _INTEGERS:
        return int
    if type_oid == _BOOL:
        return _bool
    if type_oid == _TIMESTAMPTZ:
        return _timestamp
    return _text


def _parameter(value: int | Sequence[int]) -> bytes:
    if isinstance(value, int):
        return str(value).encode()
    return ("{" + ",".join(str(int(item)) for item in value) + "}").encode()


# Set on first use: times as every engine reads them, and text in UTF-8 whatever the database's
# or the role's client encoding, as the results are decoded here, not by the driver.
_SESSION = POSTGRESQL_SESSION + "; SET client_encoding TO 'UTF8'"


class LibpqReads:
    """Runs read statements on one psycopg connection in autocommit (the caller's; this object
    only adds the statements it prepared there). The session is set as every engine sets its
    own (``POSTGRESQL_SESSION``: ISO dates in UTC) and to UTF-8 text on first use, so that
    times and text read back exactly."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._pgconn = connection.pgconn
        self._names: dict[str, bytes] = {}
        self._converters: dict[bytes, list[Callable[[bytes], Any]]] = {}

    def rows(self, sql: str, parameter: int | Sequence[int]) -> list[tuple[Any, ...]]:
        """Every row ``sql`` (with ``$1``) returns for ``parameter``. Raises ``psycopg.Error``:
        ``psycopg.OperationalError`` when the connection is lost."""
        name = self._names.get(sql) or self._prepare(sql)
        result = self._pgconn.exec_prepared(name, [_parameter(parameter)])
        self._check(result, pq.ExecStatus.TUPLES_OK)
        columns = range(result.nfields)
        converters = self._converters.get(name)
        if converters is None:
            converters = [_converter(result.ftype(column)) for column in columns]
            self._converters[name] = converters
        get = result.get_value
        rows: list[tuple[Any, ...]] = []
        for row in range(result.ntuples):
            values = []
            for column in columns:
                raw = get(row, column)
                values.append(None if raw is None else converters[column](raw))
            rows.append(tuple(values))
        return rows

    def _prepare(self, sql: str) -> bytes:
        if not self._names:
            result = self._pgconn.exec_(_SESSION.encode())
            self._check(result, pq.ExecStatus.COMMAND_OK)
        name = f"silo_hot_read_{len(self._names)}".encode()
        self._check(self._pgconn.prepare(name, sql.encode()), pq.ExecStatus.COMMAND_OK)
        self._names[sql] = name
        return name

    def _check(self, result: pq.abc.PGresult, expected: pq.ExecStatus) -> None:
        """Raises what the driver's cursor would for a failed statement (the class of its
        SQLSTATE: ``QueryCanceled`` for a statement timeout, ...); an ``OperationalError`` when
        the connection is gone."""
        if result.status == expected:
            return
        if result.error_field(pq.DiagnosticField.SQLSTATE) is not None:
            error = errors.error_from_result(result, encoding="utf-8")
            if isinstance(error, psycopg.OperationalError) or not self.lost:
                raise error
        message = (result.error_message or self._pgconn.error_message).decode(errors="replace")
        if self.lost:
            raise psycopg.OperationalError(message.strip() or "the connection was lost")
        raise psycopg.DatabaseError(message.strip() or f"unexpected result {result.status!r}")

    @property
    def lost(self) -> bool:
        """Whether the connection is gone (a read failed because of it)."""
        return self._pgconn.status != pq.ConnStatus.OK
