"""Cache versions in Redis (runs when SILO_TEST_REDIS_URL names a server, as CI does)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator

import pytest
import redis

from region_silo.bootstrap import build_region_silo
from region_silo.cache.redis_versions import RedisVersionStore
from region_silo.cache.region_cache import RegionCache
from shared.config import Settings
from shared.silo_mode import SiloMode

REDIS_URL = os.environ.get("SILO_TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="SILO_TEST_REDIS_URL is not set")


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test alone, removed afterwards."""
    name = f"silo-test:{uuid.uuid4().hex}:"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)
    client.close()


def test_versions_are_shared_and_atomic(prefix: str) -> None:
    one = RedisVersionStore(redis.Redis.from_url(REDIS_URL), prefix)
    other = RedisVersionStore(redis.Redis.from_url(REDIS_URL), prefix)
    assert one.versions(["a", "b"]) == [0, 0]
    threads = [threading.Thread(target=lambda: one.bump(["a"])) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.bump(["b"])
    assert other.versions(["a", "b"]) == [10, 1]
    assert one.versions(["b"]) == [1]
    one.close()
    other.close()


def test_a_region_configured_with_redis_invalidates_through_it(
    prefix: str, region_database_url: str
) -> None:
    region = build_region_silo(
        Settings(
            mode=SiloMode.REGION,
            region_name=f"redis-{uuid.uuid4().hex[:6]}",
            database_url=region_database_url,
            cache_redis_url=REDIS_URL,
        )
    )
    assert isinstance(region.cache_versions, RedisVersionStore)
    other_process: RegionCache[int] = RegionCache(
        RedisVersionStore.from_url(REDIS_URL, region.name)
    )
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        return len(loads)

    assert other_process.get("user_service.get_user:1", load) == 1
    region.cache.clear_keys(["user_service.get_user:1"])
    assert other_process.get("user_service.get_user:1", load) == 2
    region.close()
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"silo:{region.name}:*"):
        client.delete(key)
    client.close()
