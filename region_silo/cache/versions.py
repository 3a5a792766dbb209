"""Cache versions in the region database (table ``cacheversion``), shared by every process."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

from sqlalchemy import Engine, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from region_silo.db.models import CacheVersion
from shared.cache.versions import VersionStore
from shared.db.engine import SQLITE_BEGIN_OPTION

_table = cast(Table, CacheVersion.__table__)
_ONE = select(_table.c.version).where(_table.c.key == bindparam("key"))
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

    def versions(self, keys: Sequence[str]) -> list[int]:
        with self._engine.connect() as connection:
            if len(keys) == 1:
                return [connection.execute(_ONE, {"key": keys[0]}).scalar() or 0]
            found = {
                key: version for key, version in connection.execute(_MANY, {"keys": list(keys)})
            }
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
