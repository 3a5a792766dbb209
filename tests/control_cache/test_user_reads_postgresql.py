"""The PostgreSQL user reader (prepared statements run through libpq) reads back exactly what the
database holds, whatever the session's defaults, the text, the times or the number of callers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import Engine, text

from control_silo.bootstrap import ControlSilo
from control_silo.services.user_hot_reads import HotUserReader
from shared.services.user.model import NewUser, User
from shared.services.user.service import UserService
from tests.databases import server_url

pytestmark = pytest.mark.skipif(server_url() is None, reason="PostgreSQL reads only")


@pytest.fixture
def reader(control_silo: ControlSilo) -> Iterator[HotUserReader]:
    """A reader of its own, so that its connections are made after a test changes the
    database's session defaults."""
    own = HotUserReader(control_silo.engine)
    yield own
    own.close()


def _sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.begin() as connection:
        connection.execute(text(statement), params)


def _make(users: UserService, name: str, email: str | None = None) -> User:
    return users.create_user(
        user=NewUser(username=name, email=email or f"{name}@example.com", name=name)
    )


def _read(reader: HotUserReader, user_id: int) -> User:
    found = reader.one(user_id)
    assert found is not None
    return found[1]


@pytest.fixture
def database_defaults(other_engine: Engine) -> Iterator[Callable[[str, str], None]]:
    """Sets a database default for new sessions (``ALTER DATABASE ... SET``), reset afterwards."""
    changed: list[str] = []
    with other_engine.connect() as connection:
        database = connection.execute(text("SELECT current_database()")).scalar_one()

    def set_default(name: str, value: str) -> None:
        with other_engine.connect() as connection:
            connection.execute(text(f"ALTER DATABASE \"{database}\" SET {name} TO '{value}'"))
            connection.commit()
        changed.append(name)

    yield set_default
    with other_engine.connect() as connection:
        for name in changed:
            connection.execute(text(f'ALTER DATABASE "{database}" RESET {name}'))
        connection.commit()


def test_text_outside_ascii_reads_back_as_it_was_written(
    users: UserService, reader: HotUserReader, other_engine: Engine
) -> None:
    made = _make(users, "zoë-😀", email="zoe@example.com")
    odd = 'zoë "😀" \\ \u00e9\t@example.com'
    _sql(other_engine, 'UPDATE "user" SET email = :odd WHERE id = :id', odd=odd, id=made.id)
    _sql(other_engine, "UPDATE useremail SET email = :odd WHERE user_id = :id", odd=odd, id=made.id)

    user = _read(reader, made.id)

    assert (user.username, user.name, user.email) == ("zoë-😀", "zoë-😀", odd)
    assert [email.email for email in user.useremails] == [odd]


def test_text_reads_back_whatever_the_session_client_encoding(
    users: UserService,
    control_silo: ControlSilo,
    database_defaults: Callable[[str, str], None],
) -> None:
    made = _make(users, "josé", email="jose@example.com")
    database_defaults("client_encoding", "LATIN1")
    reader = HotUserReader(control_silo.engine)
    try:
        user = _read(reader, made.id)
    finally:
        reader.close()

    assert user == made


def test_times_far_from_now_read_back_exactly(
    users: UserService, reader: HotUserReader, other_engine: Engine
) -> None:
    made = _make(users, "old-timer")
    for when in (
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(999, 7, 4, 1, 2, 3, 400000, tzinfo=UTC),
        datetime(1883, 11, 18, 12, 3, 58, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ):
        _sql(
            other_engine,
            'UPDATE "user" SET last_login = :when WHERE id = :id',
            when=when,
            id=made.id,
        )
        assert _read(reader, made.id).last_login == when


def test_many_ids_with_duplicates_and_unknown_ones(
    users: UserService, reader: HotUserReader
) -> None:
    made = [_make(users, f"many-{index}") for index in range(3)]
    ids = [user.id for user in made] * 300 + list(range(10**9, 10**9 + 100))

    found = reader.many(ids)

    assert {user_id: user for user_id, (_, user) in found.items()} == {
        user.id: user for user in made
    }


def test_many_threads_reading_at_once_all_get_their_users(
    users: UserService, reader: HotUserReader
) -> None:
    made = [_make(users, f"thread-{index}") for index in range(8)]
    errors: list[BaseException] = []
    wrong: list[object] = []

    def hammer(offset: int) -> None:
        try:
            for round_ in range(50):
                user = made[(offset + round_) % len(made)]
                if _read(reader, user.id) != user:
                    wrong.append(user.id)
                found = reader.many([user.id for user in made])
                if {user_id: found_user for user_id, (_, found_user) in found.items()} != {
                    user.id: user for user in made
                }:
                    wrong.append("many")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=hammer, args=(offset,)) for offset in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert wrong == []


def test_a_read_cut_off_by_the_server_while_it_runs_is_read_again(
    users: UserService, reader: HotUserReader, other_engine: Engine
) -> None:
    made = _make(users, "cut-off")
    assert _read(reader, made.id) == made
    got: list[object] = []

    with other_engine.connect() as locker:
        locker.execute(text('LOCK TABLE "user" IN ACCESS EXCLUSIVE MODE'))
        thread = threading.Thread(target=lambda: got.append(_read(reader, made.id)))
        thread.start()
        with other_engine.connect() as killer:
            ended = 0
            while not ended:
                ended = killer.execute(
                    text(
                        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) "
                        "FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()) AS ended"
                    )
                ).scalar_one()
        locker.rollback()
    thread.join(timeout=30)

    assert got == [made]


def test_a_statement_the_server_cancels_raises_the_drivers_own_error(
    users: UserService,
    control_silo: ControlSilo,
    other_engine: Engine,
    database_defaults: Callable[[str, str], None],
) -> None:
    made = _make(users, "too-slow")
    database_defaults("statement_timeout", "200ms")
    reader = HotUserReader(control_silo.engine)
    try:
        with other_engine.connect() as locker:
            locker.execute(text('LOCK TABLE "user" IN ACCESS EXCLUSIVE MODE'))
            with pytest.raises(psycopg.errors.QueryCanceled):
                reader.one(made.id)
            locker.rollback()
        assert _read(reader, made.id) == made
    finally:
        reader.close()


def test_backslashes_read_back_as_they_are_without_standard_conforming_strings(
    users: UserService,
    control_silo: ControlSilo,
    other_engine: Engine,
    database_defaults: Callable[[str, str], None],
) -> None:
    made = _make(users, "back-slash")
    odd = "C:\\\\users\\n'quoted'"
    _sql(other_engine, 'UPDATE "user" SET first_name = :odd WHERE id = :id', odd=odd, id=made.id)
    database_defaults("standard_conforming_strings", "off")
    reader = HotUserReader(control_silo.engine)
    try:
        assert _read(reader, made.id).name == odd
    finally:
        reader.close()
