"""Cache versions in the region database (table ``cacheversion``), shared by every process.

Reading a version is on every cache hit, so single-key reads skip SQLAlchemy's per-statement
machinery: each thread keeps one autocommit DBAPI connection and runs the precompiled lookup.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Engine, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from region_silo.cache.versions import VersionStore
from region_silo.db.models import CacheVersionRow
from shared.db.engine import SQLITE_BEGIN_OPTION

_table = cast(Table, CacheVersionRow.__table__)
_ONE = select(_table.c.version).where(_table.c.key == bindparam("cache_key"))
_MANY = select(_table.c.key, _table.c.version).where(
    _table.c.key.in_(bindparam("keys", expanding=True))
)
_BUMP = (
    update(_table)
    .where(_table.c.key == bindparam("cache_key"))
    .values(version=_table.c.version + 1)
)
_FIRST = insert(_table).values(key=bindparam("cache_key"), version=1)


class DatabaseVersionStore(VersionStore):
    """Reads are one indexed lookup; bumps are update-or-insert in one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._write_options = (
            {SQLITE_BEGIN_OPTION: "IMMEDIATE"} if engine.dialect.name == "sqlite" else {}
        )
        compiled = _ONE.compile(dialect=engine.dialect)
        self._one_sql = str(compiled)
        self._positional = compiled.positional
        self._local = threading.local()
        self._connections: list[Any] = []
        self._connections_lock = threading.Lock()

    def _raw(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            # A connection of its own, outside the engine's pool, in autocommit mode: a lone
            # SELECT needs no transaction around it.
            dialect = self._engine.dialect
            arguments, options = dialect.create_connect_args(self._engine.url)
            connection = dialect.connect(*arguments, **options)
            if dialect.name == "sqlite":
                connection.isolation_level = None
            else:
                connection.autocommit = True
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    def _read_one(self, key: str) -> int:
        try:
            cursor = self._raw().cursor()
            try:
                cursor.execute(self._one_sql, (key,) if self._positional else {"cache_key": key})
                row = cursor.fetchone()
            finally:
                cursor.close()
        except Exception:
            # A broken connection (database restarted, ...): forget it and read the slow way.
            self._local.connection = None
            with self._engine.connect() as connection:
                return int(connection.execute(_ONE, {"cache_key": key}).scalar() or 0)
        return int(row[0]) if row else 0

    def versions(self, keys: Sequence[str]) -> list[int]:
        if len(keys) == 1:
            return [self._read_one(keys[0])]
        with self._engine.connect() as connection:
            found = dict(connection.execute(_MANY, {"keys": list(keys)}).all())
        return [found.get(key, 0) for key in keys]

    def bump(self, keys: Iterable[str]) -> None:
        for key in sorted(set(keys)):
            self._bump_one(key)

    def _bump_one(self, key: str) -> None:
        for _attempt in range(3):
            with (
                self._engine.connect().execution_options(**self._write_options) as connection,
                connection.begin(),
            ):
                if connection.execute(_BUMP, {"cache_key": key}).rowcount:
                    return
                try:
                    with connection.begin_nested():
                        connection.execute(_FIRST, {"cache_key": key})
                    return
                except IntegrityError:
                    continue  # inserted concurrently: bump that row instead
        raise RuntimeError(f"could not bump cache version of {key!r}")

    def close(self) -> None:
        """Closes the per-thread read connections."""
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
