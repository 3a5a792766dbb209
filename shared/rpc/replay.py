"""Remembers the signatures of accepted calls until their timestamps expire, so that a captured
call cannot be sent again: in process memory (bounded), or in Redis when replicas must agree."""

from __future__ import annotations

import hashlib
import heapq
import threading
import time
from collections.abc import Callable
from typing import Protocol

import redis

from shared import errors

DEFAULT_CAPACITY = 1_000_000
REDIS_KEY_PREFIX = "silo:rpc:seen:"


class ReplayGuard(Protocol):
    """Records each call signature once; a second use before it expires is a replay."""

    def claim(self, signature: str, expires_at: float) -> bool:
        """Records ``signature`` until ``expires_at`` (Unix time); False when it is recorded
        already. Raises ``errors.Unavailable`` when it cannot tell."""

    def release(self, signature: str) -> None:
        """Forgets ``signature``: its call did nothing, so the client may send it again."""


def _digest(signature: str) -> bytes:
    # 128 bits of the signature keep entries small; a collision would need the secret.
    return hashlib.blake2b(signature.encode(), digest_size=16).digest()


class MemoryReplayGuard:
    """Signatures of one process, each kept until it expires; at most ``capacity`` at once.

    When ``capacity`` unexpired signatures are held, new calls are refused (UNAVAILABLE) rather
    than forgetting one that could then be replayed.
    """

    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, clock: Callable[[], float] = time.time
    ) -> None:
        self._capacity = capacity
        self._clock = clock
        self._expiry: dict[bytes, float] = {}
        self._by_expiry: list[tuple[float, bytes]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._forget_expired(self._clock())
            return len(self._by_expiry)

    def _forget_expired(self, now: float) -> None:
        while self._by_expiry and self._by_expiry[0][0] <= now:
            expires_at, key = heapq.heappop(self._by_expiry)
            if self._expiry.get(key) == expires_at:
                del self._expiry[key]

    def claim(self, signature: str, expires_at: float) -> bool:
        key = _digest(signature)
        with self._lock:
            now = self._clock()
            self._forget_expired(now)
            if key in self._expiry:
                return False
            if len(self._by_expiry) >= self._capacity:
                raise errors.Unavailable("too many calls within the signature window; retry")
            self._expiry[key] = expires_at
            heapq.heappush(self._by_expiry, (expires_at, key))
            return True

    def release(self, signature: str) -> None:
        with self._lock:
            self._expiry.pop(_digest(signature), None)


class RedisReplayGuard:
    """Signatures shared by every replica through Redis (``SET NX`` with the expiry)."""

    def __init__(self, client: redis.Redis, prefix: str = REDIS_KEY_PREFIX) -> None:
        self._client = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str) -> RedisReplayGuard:
        """A guard on the Redis server at ``url``."""
        return cls(redis.Redis.from_url(url))

    def _key(self, signature: str) -> str:
        return self._prefix + _digest(signature).hex()

    def claim(self, signature: str, expires_at: float) -> bool:
        try:
            stored = self._client.set(
                self._key(signature), b"1", nx=True, exat=max(1, int(expires_at) + 1)
            )
        except redis.RedisError:
            raise errors.Unavailable("the replay guard's Redis is unreachable") from None
        return bool(stored)

    def release(self, signature: str) -> None:
        try:
            self._client.delete(self._key(signature))
        except redis.RedisError:
            return


def replay_guard_for(redis_url: str | None) -> ReplayGuard:
    """The guard a server uses: shared through Redis when a URL is given, else in memory."""
    if redis_url:
        return RedisReplayGuard.from_url(redis_url)
    return MemoryReplayGuard()
