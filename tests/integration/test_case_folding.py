"""Usernames and emails fold case the same way on SQLite as on PostgreSQL, beyond ASCII: ÄLICE
and älice are one username on both backends, in lookups and in the unique index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from control_silo.db.models import UserRow
from control_silo.migrations import CONTROL_MIGRATIONS
from shared.db.engine import make_engine
from tests.databases import scratch_database, server_url

PAIRS = [("ÄLICE", "älice"), ("ΣΩΚΡΑΤΗΣ", "σωκρατησ"), ("ÉMILE", "émile")]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with scratch_database(tmp_path_factory.mktemp("folding"), "folding") as url:
        CONTROL_MIGRATIONS.upgrade(url)
        made = make_engine(url)
        yield made
        made.dispose()


def user(username: str) -> dict[str, Any]:
    return {
        "username": username,
        "password": "!",
        "name": "",
        "email": "",
        "is_staff": False,
        "is_active": True,
        "is_superuser": False,
        "is_managed": False,
        "is_password_expired": False,
    }


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_lower_folds_non_ascii_letters(engine: Engine, first: str, second: str) -> None:
    with engine.connect() as connection:
        assert connection.scalar(select(func.lower(first))) == second


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_the_unique_username_index_folds_non_ascii_case(
    engine: Engine, first: str, second: str
) -> None:
    with engine.begin() as connection:
        connection.execute(insert(UserRow), [user(first)])
    with engine.begin() as connection, pytest.raises(IntegrityError):
        connection.execute(insert(UserRow), [user(second)])
    with engine.connect() as connection:
        found = connection.scalars(
            select(UserRow.username).where(func.lower(UserRow.username) == func.lower(second))
        ).all()
    assert found == [first]


def test_an_existing_sqlite_database_is_refolded_by_the_upgrade(tmp_path: Path) -> None:
    # Rows written with SQLite's own ASCII-only lower() sit in the index under their old keys;
    # after `silo upgrade` a case variant of them is refused too.
    if server_url() is not None:
        pytest.skip("only SQLite ever folded case differently")
    with scratch_database(tmp_path, "refold") as url:
        CONTROL_MIGRATIONS.upgrade(url)
        # A plain engine, without Silo's case folding: SQLite's own lower() computes the keys.
        plain = create_engine(url)
        with plain.begin() as connection:
            connection.execute(insert(UserRow), [user("ÜBER")])
        plain.dispose()
        CONTROL_MIGRATIONS.upgrade(url)
        engine = make_engine(url)
        try:
            with engine.begin() as connection, pytest.raises(IntegrityError):
                connection.execute(insert(UserRow), [user("über")])
        finally:
            engine.dispose()
