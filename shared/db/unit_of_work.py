"""The unit of work: owns one transaction, rolls back unless committed."""

from __future__ import annotations

import hashlib
from types import TracebackType

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from shared.db.engine import SQLITE_BEGIN_OPTION


def _advisory_key(name: str) -> int:
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class UnitOfWork:
    """One transaction. ``with uow:`` opens it; ``commit()`` makes it stick; leaving the block
    without committing rolls everything back.

    ``lock`` names a critical section: writers with the same name run one at a time (a
    transaction-scoped advisory lock on PostgreSQL; SQLite's single write lock, taken at BEGIN).
    """

    def __init__(self, session_factory: sessionmaker[Session], *, lock: str | None = None) -> None:
        self._session_factory = session_factory
        self._lock = lock
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The session of the open transaction."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        session = self._session_factory()
        self._session = session
        if self._lock is not None:
            if session.get_bind().dialect.name == "sqlite":
                session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            else:
                session.execute(select(func.pg_advisory_xact_lock(_advisory_key(self._lock))))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            session.rollback()
        finally:
            session.close()
            self._session = None

    def commit(self) -> None:
        """Commits the transaction."""
        self.session.commit()

    def flush(self) -> None:
        """Sends pending changes so constraint violations surface now."""
        self.session.flush()
