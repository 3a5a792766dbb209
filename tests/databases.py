"""Throwaway test databases: an SQLite file, or a fresh PostgreSQL database per run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from shared.db.engine import make_engine

TEST_DATABASE_VARIABLE = "SILO_TEST_DATABASE_URL"


def server_url() -> str | None:
    """The PostgreSQL server the suite runs against, or None for SQLite."""
    return os.environ.get(TEST_DATABASE_VARIABLE) or None


@contextmanager
def scratch_database(directory: Path, name: str) -> Iterator[str]:
    """Yields the URL of an empty database that is dropped (or deleted) afterwards.

    On PostgreSQL each call creates its own database, so concurrent runs never share rows.
    """
    base = server_url()
    if base is None:
        yield f"sqlite:///{directory / f'{name}.sqlite3'}"
        return
    database = f"silo_test_{name}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        yield make_url(base).set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_sessions(
    directory: Path, name: str, metadata: MetaData
) -> Iterator[sessionmaker[Session]]:
    """Sessions (objects readable after commit) on a scratch database holding ``metadata``'s
    tables, configured as the silos' engines are."""
    with scratch_database(directory, name) as url:
        engine = make_engine(url)
        metadata.create_all(engine)
        try:
            yield sessionmaker(engine, expire_on_commit=False)
        finally:
            engine.dispose()
