"""The region cache: values in a thread-safe TTL cache inside the process, stored under the key's
current shared version, so an invalidation anywhere in the region hides them everywhere."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from cachetools import TTLCache

from region_silo.cache.versions import VersionStore

Value = TypeVar("Value")


@dataclass
class CacheStats:
    """Hit and miss counters since start."""

    hits: int = 0
    misses: int = 0


class RegionCache(Generic[Value]):
    """Versioned read-through cache.

    A reader reads the key's version *before* it loads the value and stores the result under that
    version. An invalidation that lands while the load is in flight bumps the version, so the
    value it fetched is filed under a version no reader asks for again: a value fetched before an
    invalidation is never served after it. ``None`` is never cached. The TTL bounds staleness if an
    invalidation is ever lost.
    """

    def __init__(
        self,
        versions: VersionStore,
        *,
        ttl_seconds: float = 60.0,
        max_entries: int = 100_000,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._versions = versions
        self._values: TTLCache[str, Value] = TTLCache(
            maxsize=max_entries, ttl=ttl_seconds, timer=timer
        )
        self._lock = threading.Lock()
        self.stats = CacheStats()
        self.on_hit: Callable[[int], None] = lambda _count: None
        self.on_miss: Callable[[int], None] = lambda _count: None

    @staticmethod
    def physical_key(key: str, version: int) -> str:
        """Where a value of ``key`` at ``version`` is stored."""
        return f"{key}:v{version}"

    def get_many(
        self, keys: Sequence[str], load: Callable[[Sequence[str]], dict[str, Value | None]]
    ) -> dict[str, Value | None]:
        """The value of each key: cached ones as stored, the rest from ``load`` (called once
        with every missing key; keys it leaves out or maps to None are not cached)."""
        versions = self._versions.versions(keys)
        physical = {key: self.physical_key(key, v) for key, v in zip(keys, versions, strict=True)}
        found: dict[str, Value | None] = {}
        with self._lock:
            for key in keys:
                value = self._values.get(physical[key])
                if value is not None:
                    found[key] = value
        missing = [key for key in keys if key not in found]
        self.stats.hits += len(found)
        self.stats.misses += len(missing)
        self.on_hit(len(found))
        self.on_miss(len(missing))
        if missing:
            loaded = load(missing)
            with self._lock:
                for key in missing:
                    value = loaded.get(key)
                    found[key] = value
                    if value is not None:
                        self._values[physical[key]] = value
        return found

    def get(self, key: str, load: Callable[[], Value | None]) -> Value | None:
        """The value of one key, loading it on a miss."""
        return self.get_many([key], lambda _missing: {key: load()})[key]

    def drop_local_values(self) -> None:
        """Forgets every value this process holds (versions are untouched)."""
        with self._lock:
            self._values.clear()

    def clear_keys(self, keys: Sequence[str]) -> None:
        """Invalidates ``keys`` in every process of the region (a version bump)."""
        self._versions.bump(keys)
