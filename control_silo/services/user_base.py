"""What the parts of the database user service share: its database, outbox and password cost."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from control_silo.cache.user_cache import UserReadCache, ttl_from_environment
from control_silo.passwords import DEFAULT_ITERATIONS
from control_silo.services.user_hot_reads import HotUserReader
from control_silo.services.user_reads import UserLoader
from shared.db.unit_of_work import UnitOfWork
from shared.outbox.writer import OutboxWriter
from shared.services.user.service import UserService


class UserServiceBase(UserService):
    """The state of ``DatabaseUserService``; its lookups and its writes are parts built on this."""

    def __init__(
        self,
        engine: Engine,
        session_factory: sessionmaker[Session],
        *,
        outbox: OutboxWriter | None = None,
        password_iterations: int = DEFAULT_ITERATIONS,
        user_cache_ttl: float | None = None,
    ) -> None:
        """``user_cache_ttl`` (seconds, 0 for none) defaults to ``SILO_CONTROL_USER_CACHE_TTL``."""
        self._sessions = session_factory
        self._engine = engine
        self._outbox = outbox
        self._password_iterations = password_iterations
        ttl = ttl_from_environment() if user_cache_ttl is None else user_cache_ttl
        # GetUser and GetManyByID: one statement, answered from memory while versions hold.
        self._user_cache = UserReadCache(HotUserReader(engine), ttl=ttl)

    def _uow(self, lock: str | None = None, *, read_only: bool = False) -> UnitOfWork:
        if read_only:
            return UnitOfWork(self._sessions, read_only=True)
        return UnitOfWork(self._sessions, lock=lock, outbox=self._outbox)

    @staticmethod
    def _loader(uow: UnitOfWork) -> UserLoader:
        return UserLoader(uow.session.connection())
