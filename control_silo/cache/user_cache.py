"""A per-process cache of GetUser/GetManyByID answers that stays exact with any number of writers.

Every entry keeps the user's cache version read in the same snapshot as the user. Each hit first
reads the current versions of the users asked for (one indexed query for the whole call); an
entry whose version moved is read again. Database triggers renew a user's version in the
transaction of every write that changes what GetUser returns, whoever the writer is (another
process or replica of the control silo, ``silo createuser``, an import, plain SQL), and versions
never repeat, so a hit can only return what a fresh read would. Entries also expire after a
time-to-live, a backstop for writes made with the triggers disabled."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence

from control_silo.services.user_hot_reads import HotUserReader
from shared.services.user.model import User

# Seconds an entry may be served before it is read again; 0 turns the cache off.
TTL_VARIABLE = "SILO_CONTROL_USER_CACHE_TTL"
DEFAULT_TTL = 60.0
DEFAULT_MAX_ENTRIES = 50_000


def ttl_from_environment() -> float:
    """The time-to-live ``SILO_CONTROL_USER_CACHE_TTL`` asks for (seconds), or the default."""
    raw = os.environ.get(TTL_VARIABLE, "")
    if not raw:
        return DEFAULT_TTL
    try:
        ttl = float(raw)
    except ValueError:
        raise SystemExit(f"{TTL_VARIABLE} must be a number of seconds, not {raw!r}") from None
    if ttl < 0:
        raise SystemExit(f"{TTL_VARIABLE} must not be negative, not {raw!r}")
    return ttl


class UserReadCache:
    """Users by id, read through ``reader`` and kept per process, each hit checked against the
    database's versions."""

    def __init__(
        self,
        reader: HotUserReader,
        *,
        ttl: float = DEFAULT_TTL,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._reader = reader
        self._ttl = ttl
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        # user id -> (version, user, expiry)
        self._entries: dict[int, tuple[int, User, float]] = {}

    @property
    def enabled(self) -> bool:
        """Whether answers are kept at all (a time-to-live of 0 turns the cache off)."""
        return self._ttl > 0

    def get(self, user_id: int) -> User | None:
        """The user with this id, or None when there is none."""
        return self.get_many([user_id]).get(user_id)

    def get_many(self, user_ids: Sequence[int]) -> dict[int, User]:
        """The users with these ids that exist, keyed by id."""
        ids = list(dict.fromkeys(user_ids))
        if not self.enabled:
            return {user_id: user for user_id, (_, user) in self._reader.many(ids).items()}
        now = self._clock()
        with self._lock:
            held = {
                user_id: entry
                for user_id in ids
                if (entry := self._entries.get(user_id)) is not None and entry[2] > now
            }
        found: dict[int, User] = {}
        if held:
            current = self._reader.versions(list(held))
            for user_id, (version, user, _) in held.items():
                if current.get(user_id) == version:
                    found[user_id] = user
        missing = [user_id for user_id in ids if user_id not in found]
        if missing:
            read = self._reader.many(missing)
            self._keep(read, now + self._ttl)
            found.update((user_id, user) for user_id, (_, user) in read.items())
            with self._lock:
                for user_id in missing:
                    if user_id not in read:
                        self._entries.pop(user_id, None)
        return found

    def clear(self) -> None:
        """Drops every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _keep(self, read: dict[int, tuple[int | None, User]], expiry: float) -> None:
        with self._lock:
            for user_id, (version, user) in read.items():
                if version is None:  # no version row: such a user is never served from memory
                    self._entries.pop(user_id, None)
                    continue
                if user_id not in self._entries and len(self._entries) >= self._max_entries:
                    del self._entries[next(iter(self._entries))]
                self._entries[user_id] = (version, user, expiry)
