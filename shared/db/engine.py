"""Engines for SQLite (the embedded default) and PostgreSQL, configured the same way everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from shared.folding import fold_case

# Execution option naming the BEGIN flavour on SQLite; a unit of work that must serialize its
# writes asks for IMMEDIATE, which takes the database's write lock before the first read.
SQLITE_BEGIN_OPTION = "silo_sqlite_begin"


def is_sqlite(url: str | URL) -> bool:
    """Tells whether a database URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_lower(value: Any) -> Any:
    """SQLite's ``lower()``: text folded as PostgreSQL folds it (``fold_case``); anything else
    passes through."""
    return fold_case(value) if isinstance(value, str) else value


# Every PostgreSQL session reads times the same way, whatever the database's or the role's
# defaults: the driver parses ISO dates only, and UTC offsets keep them exact.
POSTGRESQL_SESSION = "SET DateStyle TO 'ISO'; SET TIME ZONE 'UTC'"


def _configure_postgresql(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(POSTGRESQL_SESSION)
    finally:
        cursor.close()
    dbapi_connection.commit()  # a SET rolled back with its transaction would be undone


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Creates an engine; for SQLite it enables foreign keys, WAL and a busy timeout, and takes
    control of BEGIN so units of work can ask for an immediate (write-locking) transaction; a
    PostgreSQL session is set to ISO dates in UTC (``POSTGRESQL_SESSION``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(parsed, pool_pre_ping=True, **kwargs)
        event.listen(engine, "connect", _configure_postgresql)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below) instead of the sqlite3 module guessing.
        dbapi_connection.isolation_level = None
        # SQLite's own lower() folds ASCII only; PostgreSQL's folds every letter.
        dbapi_connection.create_function("lower", 1, sqlite_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
