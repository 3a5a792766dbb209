"""The unit of work: owns one transaction, rolls back unless committed, and is the only writer of
outbox rows (in that same transaction)."""

from __future__ import annotations

import hashlib
from types import TracebackType

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from shared.db import (
    checks,  # noqa: F401 - checks every written string against its column
    requests,
)
from shared.db.checks import check_row
from shared.db.engine import SQLITE_BEGIN_OPTION
from shared.outbox.model import OutboxMessage, ShardKey
from shared.outbox.writer import OutboxWriter


def _advisory_key(name: str) -> int:
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class UnitOfWork:
    """One transaction. ``with uow:`` opens it; ``commit()`` makes it stick; leaving the block
    without committing rolls everything back, outbox rows included.

    On SQLite every unit of work that may write takes the database's write lock at BEGIN
    (IMMEDIATE): a deferred transaction that reads and then writes can fail at once with "database
    is locked" when another writer got in between, which no busy timeout helps. ``read_only``
    units of work begin deferred and never block writers.

    ``lock`` names a critical section: writers with the same name run one at a time (a
    transaction-scoped advisory lock on PostgreSQL; on SQLite the write lock already does it).

    ``idempotent`` says that applying the writes twice has the effect of applying them once
    (versioned writes, or a receiver that absorbs duplicates, such as an outbox batch): within
    an RPC, the unit of work is then not tied to the request log (no lookup of an earlier
    attempt, no key recorded), and an abandoned call still commits nothing.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        lock: str | None = None,
        outbox: OutboxWriter | None = None,
        read_only: bool = False,
        idempotent: bool = False,
    ) -> None:
        if read_only and (lock is not None or outbox is not None):
            raise ValueError("a read-only unit of work takes no lock and writes no outbox")
        self._session_factory = session_factory
        self._read_only = read_only
        self._logged = not read_only and not idempotent
        self._lock = lock
        self._outbox = outbox
        self._session: Session | None = None
        self._shards: set[ShardKey] = set()

    @property
    def session(self) -> Session:
        """The session of the open transaction."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        if self._logged:
            requests.refuse_nested_writes()
        session = self._session_factory()
        self._session = session
        self._shards = set()
        if session.get_bind().dialect.name == "sqlite":
            if not self._read_only:
                session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        elif self._lock is not None:
            session.execute(select(func.pg_advisory_xact_lock(_advisory_key(self._lock))))
        if self._logged:
            try:
                requests.opening_writes(session)
            except BaseException:
                session.close()
                self._session = None
                raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches the loaded objects without
        # expiring them, so values read inside the block stay readable after it.
        self.session.close()
        self._session = None
        if self._logged:
            requests.closed_writes()

    def add_outbox(self, message: OutboxMessage) -> None:
        """Writes an outbox message in this transaction, at once (a Core INSERT on the
        session's connection: no ORM object, no flush, no ORM execution; its strings are checked
        as the session would; inside a savepoint it goes when the savepoint is rolled back)."""
        if self._outbox is None:
            raise RuntimeError("this unit of work has no outbox")
        values = self._outbox.values(message)
        check_row(self._outbox.table, values)
        self.session.connection().execute(self._outbox.insert, values)
        self._shards.add(message.shard)

    def commit(self) -> None:
        """Commits the transaction, then lets the outbox's drainer know what to deliver.

        Within an RPC, a call that was abandoned commits nothing (``Unavailable``); the call's
        key, taken when the unit of work opened, commits with its writes (see
        ``shared.db.requests``)."""
        if not self._read_only:
            requests.committing_writes()
        self.session.commit()
        if self._logged:
            requests.committed_writes()
        if self._shards and self._outbox is not None:
            shards, self._shards = self._shards, set()
            self._outbox.committed(shards)

    def flush(self) -> None:
        """Sends pending changes so constraint violations surface now."""
        self.session.flush()
