"""A per-process cache of GetUser/GetManyByID answers that stays exact with any number of writers.

Every entry keeps the user's cache version read in the same snapshot as the user. Database
triggers renew a user's version in the transaction of every write that changes what GetUser
returns, whoever the writer is (another process or replica of the control silo, ``silo
createuser``, an import, plain SQL), and versions never repeat. A hit is checked in one of two
ways:

- where the database can tell whether anything at all was committed since an entry was last
  known current (SQLite's commit counter, see ``HotUserReader.mark``), an entry with nothing
  committed since is served as it is;
- otherwise the current versions of the users asked for are read (one indexed query for the
  whole call), and an entry whose version moved is read again.

So a hit can only return what a fresh read would. Entries also expire after a time-to-live, a
backstop for writes made with the triggers disabled."""

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
        # user id -> (version, user, expiry, the reader's mark when last known current)
        self._entries: dict[int, tuple[int, User, float, int | None]] = {}

    @property
    def enabled(self) -> bool:
        """Whether answers are kept at all (a time-to-live of 0 turns the cache off)."""
        return self._ttl > 0

    def get(self, user_id: int) -> User | None:
        """The user with this id, or None when there is none."""
        if not self.enabled:
            return self.get_many([user_id]).get(user_id)
        now = self._clock()
        mark = self._reader.mark()
        # The common hit, with nothing committed since the entry was last known current, takes
        # no lock: one dictionary read is atomic.
        entry = self._entries.get(user_id)
        if mark is not None and entry is not None and entry[3] == mark and entry[2] > now:
            return entry[1]
        return self._lookup([user_id], now, mark).get(user_id)

    def get_many(self, user_ids: Sequence[int]) -> dict[int, User]:
        """The users with these ids that exist, keyed by id."""
        ids = list(dict.fromkeys(user_ids))
        if not self.enabled:
            return {user_id: user for user_id, (_, user) in self._reader.many(ids).items()}
        now = self._clock()
        return self._lookup(ids, now, self._reader.mark())

    def _lookup(self, ids: list[int], now: float, mark: int | None) -> dict[int, User]:
        """The users with these (distinct) ids that exist, from the entries confirmed current
        and the database; ``mark`` was taken before anything was read, so that a commit after
        it moves the next mark on."""
        with self._lock:
            held = {
                user_id: entry
                for user_id in ids
                if (entry := self._entries.get(user_id)) is not None and entry[2] > now
            }
        found: dict[int, User] = {}
        unsure: dict[int, tuple[int, User, float, int | None]] = {}
        for user_id, entry in held.items():
            if mark is not None and entry[3] == mark:
                found[user_id] = entry[1]
            else:
                unsure[user_id] = entry
        if unsure:
            current = self._reader.versions(list(unsure))
            confirmed = {
                user_id: entry
                for user_id, entry in unsure.items()
                if current.get(user_id) == entry[0]
            }
            found.update((user_id, entry[1]) for user_id, entry in confirmed.items())
            if mark is not None:
                with self._lock:
                    for user_id, (version, user, expiry, _) in confirmed.items():
                        self._entries[user_id] = (version, user, expiry, mark)
        missing = [user_id for user_id in ids if user_id not in found]
        if missing:
            read = self._reader.many(missing)
            self._keep(read, now + self._ttl, mark)
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

    def _keep(
        self, read: dict[int, tuple[int | None, User]], expiry: float, mark: int | None
    ) -> None:
        with self._lock:
            for user_id, (version, user) in read.items():
                if version is None:  # no version row: such a user is never served from memory
                    self._entries.pop(user_id, None)
                    continue
                if user_id not in self._entries and len(self._entries) >= self._max_entries:
                    del self._entries[next(iter(self._entries))]
                self._entries[user_id] = (version, user, expiry, mark)
