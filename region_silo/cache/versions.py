"""Version stores: the shared half of the region cache. Bumping a key's version invalidates every
value cached under the old one, in every process that reads the same store."""

from __future__ import annotations

import abc
import threading
from collections.abc import Iterable, Sequence


class VersionStore(abc.ABC):
    """Current versions of logical cache keys; a key never seen has version 0."""

    @abc.abstractmethod
    def versions(self, keys: Sequence[str]) -> list[int]:
        """The current version of each key, in order."""

    @abc.abstractmethod
    def bump(self, keys: Iterable[str]) -> None:
        """Increments each key's version (never decrements, never deletes)."""


class MemoryVersionStore(VersionStore):
    """Versions in this process only: for tests and single-process tools."""

    def __init__(self) -> None:
        self._versions: dict[str, int] = {}
        self._lock = threading.Lock()

    def versions(self, keys: Sequence[str]) -> list[int]:
        with self._lock:
            return [self._versions.get(key, 0) for key in keys]

    def bump(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._versions[key] = self._versions.get(key, 0) + 1
