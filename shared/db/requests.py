"""The request log: the key of every RPC whose writes committed, recorded in the same transaction
as the writes, with the response when the call was cut off before it could be sent. A retried
call (same request id, method and request bytes) finds its key and gets the first response
instead of writing again; a call that was abandoned (cancelled, past its deadline, or cut off by
a server stopping) commits nothing.

The key is inserted when the call's first writing unit of work opens, skipped when it is there
already (one statement, where a lookup then an insert took two): the transaction commits it with
the writes or rolls it back with them. A call's writing units of work run one after another, as
they do on SQLite, whose writers take the database's lock at BEGIN: a second one opened inside
the first would wait for the first's key."""

from __future__ import annotations

import contextvars
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, cast

from sqlalchemy import LargeBinary, String, Table, bindparam, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from shared.db.bulk import skipping_taken
from shared.db.types import UTCDateTime, utcnow
from shared.errors import FailedPrecondition, Unavailable

# How long a key is kept: far longer than any client retries a call.
KEEP_FOR = timedelta(days=1)
# Old keys are deleted after every this many recorded responses (per process).
PRUNE_EVERY = 500


class RequestLogColumns:
    """Mixin of the request log table each silo has."""

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    method: Mapped[str] = mapped_column(String(200), nullable=False)
    response: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    date_added: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow, index=True
    )


def request_key(request_id: str, method: str, body: bytes) -> str:
    """The key of one call: its request id, method and request bytes (a request id reused for
    another request is another key)."""
    digest = hashlib.sha256()
    for part in (request_id.encode(), b"\0", method.encode(), b"\0", body):
        digest.update(part)
    return digest.hexdigest()


class AlreadyApplied(Exception):
    """Raised when a unit of work opens for a call whose writes committed before."""

    def __init__(self, response: bytes | None) -> None:
        super().__init__("this call's writes were committed before")
        self.response = response


@dataclass
class RequestLog:
    """One silo's request log table."""

    sessions: sessionmaker[Session]
    model: type[Any]
    _recorded: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # Built once: a call only binds its key. They run on the session's connection, without
        # the ORM's checks of written strings (a key is 64 hex digits, a method one of ours).
        model = self.model
        self._previous = select(model.response).where(model.key == bindparam("key"))
        table = cast(Table, model.__table__)
        self._claim = skipping_taken(table, table.c.key, table.c.key)

    def claim(self, session: Session, key: str, method: str) -> AlreadyApplied | None:
        """Adds the call's key to the transaction that will commit its writes; when the key is
        there already, the call's writes committed before and their outcome is returned instead
        (nothing is added). Every ``PRUNE_EVERY`` keys added, keys older than ``KEEP_FOR`` are
        deleted in the same transaction."""
        connection = session.connection()
        # A Core INSERT, executed at once: no ORM object to track and flush at commit.
        # RETURNING tells whether it was added (not every driver counts the rows of an upsert).
        added = connection.execute(
            self._claim[connection.dialect.name], {"key": key, "method": method}
        ).first()
        if added is None:
            row = connection.execute(self._previous, {"key": key}).first()
            return AlreadyApplied(None if row is None else row[0])
        with self._lock:
            self._recorded += 1
            prune = self._recorded % PRUNE_EVERY == 0
        if prune:
            session.execute(delete(self.model).where(self.model.date_added < utcnow() - KEEP_FOR))
        return None

    def store_response(self, key: str, response: bytes) -> None:
        """Keeps the response of a call whose writes committed but which was cut off before the
        response could be sent, for its retry."""
        with self.sessions() as session:
            session.execute(
                update(self.model).where(self.model.key == key).values(response=response)
            )
            session.commit()


@dataclass
class CallWrites:
    """What units of work need to know about the RPC they run in. The call's key is worked out
    only when a unit of work writes, so a call that only reads never hashes its request."""

    log: RequestLog
    request_id: str
    method: str
    body: Callable[[], bytes]
    abandoned: Callable[[], bool]
    committed: bool = False
    # A unit of work of the call holds the call's key, not yet committed.
    holding_key: bool = False

    @cached_property
    def key(self) -> str:
        """The call's key in the request log (``request_key``)."""
        return request_key(self.request_id, self.method, self.body())


_CURRENT: contextvars.ContextVar[CallWrites | None] = contextvars.ContextVar(
    "silo_call_writes", default=None
)


@contextmanager
def running_call(call: CallWrites) -> Iterator[CallWrites]:
    """Makes ``call`` the RPC that units of work opened in this block belong to."""
    token = _CURRENT.set(call)
    try:
        yield call
    finally:
        _CURRENT.reset(token)


def refuse_nested_writes() -> None:
    """Called before a unit of work whose writes are logged begins: raises ``RuntimeError`` when
    another one of the current call holds the call's key and has not committed. The second one
    would wait for the first for ever, on its key (PostgreSQL) or the write lock (SQLite, until
    the busy timeout); a call's writing units of work run one after another."""
    call = _CURRENT.get()
    if call is not None and call.holding_key:
        raise RuntimeError(
            f"{call.method} opened a writing unit of work inside another one of the same call"
        )


def opening_writes(session: Session) -> None:
    """Called when a unit of work whose writes are logged opens: adds the current call's key to
    its transaction, unless the call committed such writes already; raises ``AlreadyApplied``
    when they committed in an earlier attempt (this one is a retry). Writes that are not logged
    are idempotent: a retry may apply them again."""
    call = _CURRENT.get()
    if call is None or call.committed:
        return
    previous = call.log.claim(session, call.key, call.method)
    if previous is not None:
        raise previous
    call.holding_key = True


def closed_writes() -> None:
    """Called when a unit of work whose writes are logged ends, committed or not."""
    call = _CURRENT.get()
    if call is not None:
        call.holding_key = False


def committing_writes() -> None:
    """Called just before a writing unit of work commits: refuses when the call was abandoned
    (the caller was told it failed). The key of logged writes is in the transaction since it
    opened (``opening_writes``)."""
    call = _CURRENT.get()
    if call is None:
        return
    if call.abandoned():
        raise Unavailable("the call was cancelled or its deadline passed; nothing was written")


def committed_writes() -> None:
    """Called after a writing unit of work whose writes are logged committed."""
    call = _CURRENT.get()
    if call is not None:
        call.committed = True
        call.holding_key = False


def unknown_result() -> FailedPrecondition:
    """The error of a retry whose first attempt committed but whose response was not kept."""
    return FailedPrecondition(
        "this request was already applied (same x-request-id); its response was not kept"
    )
