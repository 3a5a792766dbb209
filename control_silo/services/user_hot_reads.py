"""GetUser and GetManyByID at the floor: one SQL statement on a DBAPI connection the reader keeps,
one row per user (its emails, permissions and roles as JSON arrays) straight into a ``User``
value, with the user's cache version read in the same snapshot.

On SQLite the statement runs outside any transaction (one statement is its own snapshot). On
PostgreSQL the reader's connections are in autocommit and never pinged, and statements run as
prepared statements straight through libpq (``libpq_reads``), so a read is one round trip; a
connection found dead is dropped and the read retried once on a fresh one."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from orjson import loads
from sqlalchemy import Engine, create_engine, event

from control_silo.passwords import is_usable
from control_silo.services.libpq_reads import LibpqReads
from shared.services.user.model import AvatarType, User, UserEmail

# Users read with their version: (version or None, user).
Versioned = tuple[int | None, User]

_COLUMNS = (
    "u.id, u.username, u.email, u.first_name, u.is_active, u.is_staff, u.is_superuser, "
    "u.is_managed, u.is_unclaimed, u.is_password_expired, u.password, u.date_joined, "
    "u.last_login, u.last_active, u.flags, u.avatar_type, u.avatar_url, v.version"
)
_VERSIONS = "SELECT user_id, version FROM usercacheversion WHERE "


@dataclass(frozen=True)
class _Dialect:
    """How one database writes the statement's JSON arrays and the match on a list of ids."""

    array: str  # aggregate of {} into a JSON array, as text ("[]" over no rows)
    pair: str  # a JSON array of the two values {0}, {1}, {2}
    json_value: str  # a JSON column's value as JSON (not as a string)


_SQLITE = _Dialect(
    array="json_group_array({})", pair="json_array({0}, {1}, {2})", json_value="json({})"
)
_POSTGRESQL = _Dialect(
    array="COALESCE(json_agg({}), '[]')::text",
    pair="json_build_array({0}, {1}, {2})",
    json_value="{}",
)


def _statement(dialect: _Dialect, match: str) -> str:
    """The one statement, one row per user: its columns, its version, then its emails (``[id,
    address, verified]``), permissions and roles' permission lists as JSON arrays. ``match`` is
    the condition on the user id (``{}`` stands for the column)."""
    emails = dialect.array.format(dialect.pair.format("e.id", "e.email", "e.is_verified"))
    permissions = dialect.array.format("p.permission")
    roles = dialect.array.format(dialect.json_value.format("ro.permissions"))
    return (
        f"SELECT {_COLUMNS}, "  # noqa: S608 - fixed names only
        f"(SELECT {emails} FROM useremail e WHERE e.user_id = u.id), "
        f"(SELECT {permissions} FROM userpermission p WHERE p.user_id = u.id), "
        f"(SELECT {roles} FROM userroleuser g JOIN userrole ro ON ro.id = g.role_id "
        "WHERE g.user_id = u.id) "
        'FROM "user" u LEFT JOIN usercacheversion v ON v.user_id = u.id '
        f"WHERE {match.format('u.id')}"
    )


def _sqlite_time(value: Any) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _postgresql_time(value: Any) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _to_users(rows: Iterable[Sequence[Any]], time: Callable[[Any], Any]) -> dict[int, Versioned]:
    """One ``User`` per row, with its version."""
    found: dict[int, Versioned] = {}
    for row in rows:
        emails = loads(row[18])
        if len(emails) > 1:
            emails.sort()  # in the order they were added
        useremails = tuple([UserEmail(address, bool(verified)) for _, address, verified in emails])
        granted = loads(row[20])
        roles = frozenset(
            [str(permission) for permissions in granted for permission in permissions]
        )
        found[row[0]] = (
            row[17],
            User(
                id=row[0],
                username=row[1],
                email=row[2],
                name=row[3],
                is_active=bool(row[4]),
                is_staff=bool(row[5]),
                is_superuser=bool(row[6]),
                is_managed=bool(row[7]),
                is_unclaimed=bool(row[8]),
                is_password_expired=bool(row[9]),
                password_usable=is_usable(row[10]),
                date_joined=time(row[11]),
                last_login=time(row[12]),
                last_active=time(row[13]),
                flags=row[14],
                avatar_type=AvatarType(row[15]),
                avatar_url=row[16],
                emails=frozenset([address for _, address, verified in emails if verified]),
                useremails=useremails,
                permissions=frozenset(loads(row[19])),
                roles=roles,
            ),
        )
    return found


def _rows(connection: Any, sql: str, params: dict[str, Any]) -> list[Any]:
    """Every row ``sql`` returns on a DBAPI connection."""
    cursor = connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


class _Held:
    """A DBAPI connection the reader owns, with the last ``PRAGMA data_version`` it returned
    (SQLite) or the statements prepared on it (PostgreSQL)."""

    __slots__ = ("dbapi", "libpq", "seen")

    def __init__(self, dbapi: Any, libpq: LibpqReads | None) -> None:
        self.dbapi = dbapi
        self.libpq = libpq
        self.seen: int | None = None

    def rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        """Every row ``sql`` returns (on PostgreSQL, ``params`` holds the one value of ``$1``)."""
        if self.libpq is not None:
            (value,) = params.values()
            return self.libpq.rows(sql, value)
        return _rows(self.dbapi, sql, params)

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version`` on this connection."""
        (version,) = self.dbapi.execute("PRAGMA data_version").fetchone()
        return int(version)

    def lost(self, error: Exception, dialect: Any) -> bool:
        """Whether ``error`` came from a connection the server dropped."""
        if self.libpq is not None:
            return self.libpq.lost
        return bool(dialect.is_disconnect(error, self.dbapi, None))


class HotUserReader:
    """Reads users by id with their cache versions, one statement per call, on connections of
    its own: idle ones wait on a stack, so taking one is a list pop, not a pool checkout.

    On a SQLite file it also tells, for nearly nothing, whether anything was committed since an
    earlier moment (``mark``): the database counts commits made by other connections, and the
    reader's connections never write.

    Like an engine's pool, a reader is not to be shared with a forked child."""

    def __init__(self, engine: Engine) -> None:
        self._sqlite = engine.dialect.name == "sqlite"
        # An in-memory SQLite database lives in one pooled connection: it is read through the
        # pool, and commits on that one connection are not counted.
        in_memory = self._sqlite and (engine.url.database or "") in ("", ":memory:")
        self._watches_commits = self._sqlite and not in_memory
        self._own_connections = not in_memory
        if self._sqlite:
            # No pre-ping on SQLite; connections come from the engine, so they are configured
            # as its own are (WAL, lower(), busy timeout).
            self._engine = engine
            self._one = _statement(_SQLITE, "{} = :id")
            self._many = _statement(_SQLITE, "{} IN (SELECT value FROM json_each(:ids))")
            self._time: Callable[[Any], Any] = _sqlite_time
            self._version = _VERSIONS + "user_id = :id"
            self._versions = _VERSIONS + "user_id IN (SELECT value FROM json_each(:ids))"  # noqa: S608
        else:
            self._engine = create_engine(
                engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False, pool_size=1
            )
            self._one = _statement(_POSTGRESQL, "{} = $1")
            self._many = _statement(_POSTGRESQL, "{} = ANY($1::bigint[])")
            self._time = _postgresql_time
            self._version = _VERSIONS + "user_id = $1"
            self._versions = _VERSIONS + "user_id = ANY($1::bigint[])"
        self._error = self._engine.dialect.loaded_dbapi.Error
        self._idle: list[_Held] = []
        self._lock = threading.Lock()
        self._opened = 0
        self._closed = False
        # Moves on whenever one of the reader's connections sees commits it had not seen.
        self._mark = 0
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def one(self, user_id: int) -> Versioned | None:
        """The user with this id and its version, or None."""
        return self._read(self._one, {"id": user_id}).get(user_id)

    def many(self, user_ids: Iterable[int]) -> dict[int, Versioned]:
        """The users with these ids that exist, keyed by id."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        if len(ids) == 1:
            found = self.one(ids[0])
            return {} if found is None else {ids[0]: found}
        return self._read(self._many, {"ids": json.dumps(ids) if self._sqlite else ids})

    def versions(self, user_ids: Sequence[int]) -> dict[int, int]:
        """The current versions of these users (a user without one is left out)."""
        if len(user_ids) == 1:
            return dict(self._fetch(self._version, {"id": user_ids[0]}))
        ids = list(user_ids)
        return dict(self._fetch(self._versions, {"ids": json.dumps(ids) if self._sqlite else ids}))

    def mark(self) -> int | None:
        """A number that stays the same for as long as nothing is committed to the database, by
        any connection of any process; None where the database cannot tell (PostgreSQL, an
        in-memory SQLite database). Two equal marks mean no commit came between the moments
        they were taken; a read that follows a mark sees every commit made before it."""
        if not self._watches_commits:
            return None
        held = self._take()
        try:
            version = held.data_version()
        except BaseException:
            self._discard(held)
            raise
        if version != held.seen:
            # This connection's first look, or commits since its last one: whatever was
            # marked before may be stale.
            held.seen = version
            with self._lock:
                self._mark += 1
        mark = self._mark
        self._give_back(held)
        return mark

    def _read(self, sql: str, params: dict[str, Any]) -> dict[int, Versioned]:
        return _to_users(self._fetch(sql, params), self._time)

    def _fetch(self, sql: str, params: dict[str, Any]) -> list[Any]:
        if not self._own_connections:
            return self._fetch_pooled(sql, params)
        for attempt in (1, 2):
            held = self._take()
            try:
                rows = held.rows(sql, params)
            except self._error as error:
                self._discard(held)
                if attempt == 1 and held.lost(error, self._engine.dialect):
                    continue  # a connection the server dropped: read once more on a new one
                raise
            except BaseException:
                self._discard(held)
                raise
            self._give_back(held)
            return rows
        raise AssertionError("unreachable")

    def _fetch_pooled(self, sql: str, params: dict[str, Any]) -> list[Any]:
        connection = self._engine.raw_connection()
        try:
            return _rows(connection, sql, params)
        finally:
            connection.close()

    def _take(self) -> _Held:
        try:
            return self._idle.pop()
        except IndexError:
            pass
        if self._closed:
            raise RuntimeError("the user reader is closed")
        pooled = self._engine.raw_connection()
        pooled.detach()  # from now on the reader's own, closed by it alone
        with self._lock:
            self._opened += 1
        dbapi: Any = pooled.dbapi_connection
        return _Held(dbapi, None if self._sqlite else LibpqReads(dbapi))

    def _give_back(self, held: _Held) -> None:
        if self._closed:
            self._discard(held)
        else:
            self._idle.append(held)

    def _discard(self, held: _Held) -> None:
        with self._lock:
            self._opened -= 1
        with contextlib.suppress(self._error):  # already broken: nothing more to release
            held.dbapi.close()

    @property
    def open_connections(self) -> int:
        """How many connections the reader holds, idle or in use."""
        return self._opened

    def close(self) -> None:
        """Closes the reader's connections (those in use close as they come back)."""
        self._closed = True
        while self._idle:
            self._discard(self._idle.pop())
        if not self._sqlite:
            self._engine.dispose()
