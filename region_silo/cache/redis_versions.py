"""Cache versions in Redis, for regions that run one: INCR to bump, MGET to read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import redis

from region_silo.cache.versions import VersionStore


class RedisVersionStore(VersionStore):
    """Versions under ``PREFIX<logical key>``; Redis's INCR is atomic across every process."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, region_name: str) -> RedisVersionStore:
        """A store for one region on the Redis server at ``url``."""
        return cls(redis.Redis.from_url(url), prefix=f"silo:{region_name}:cacheversion:")

    def versions(self, keys: Sequence[str]) -> list[int]:
        values = self._client.mget([self._prefix + key for key in keys])
        return [int(value) if value is not None else 0 for value in values]

    def bump(self, keys: Iterable[str]) -> None:
        pipeline = self._client.pipeline(transaction=False)
        for key in sorted(set(keys)):
            pipeline.incr(self._prefix + key)
        pipeline.execute()

    def close(self) -> None:
        """Releases the connection pool."""
        self._client.close()
