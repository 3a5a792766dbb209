"""Cache versions in the region database, and ClearKeys over gRPC."""

from __future__ import annotations

import threading

import pytest

from region_silo.bootstrap import RegionSilo
from region_silo.cache.database_versions import DatabaseVersionStore
from region_silo.cache.region_cache import RegionCache
from shared.errors import InvalidArgument
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer
from shared.services.region_cache.service import RegionCacheService
from shared.services.registry import remote
from tests.conftest import TEST_SECRET


def test_versions_start_at_zero_and_only_grow(region_silo: RegionSilo) -> None:
    store = DatabaseVersionStore(region_silo.engine)
    assert store.versions(["a", "b"]) == [0, 0]
    store.bump(["a"])
    store.bump(["a", "b"])
    assert store.versions(["a", "b", "c"]) == [2, 1, 0]
    assert store.versions(["a"]) == [2]


def test_concurrent_bumps_are_all_counted(region_silo: RegionSilo) -> None:
    store = DatabaseVersionStore(region_silo.engine)
    threads = [threading.Thread(target=lambda: store.bump(["hot"])) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.versions(["hot"]) == [8]


def test_clear_keys_over_grpc(region_silo: RegionSilo, region_server: RunningServer) -> None:
    client = remote(
        RegionCacheService, open_channel(f"127.0.0.1:{region_server.port}", secret=TEST_SECRET)
    )
    # A second cache on the same version table stands for another process of the region.
    other_process: RegionCache[int] = RegionCache(DatabaseVersionStore(region_silo.engine))
    loads: list[int] = []

    def load() -> int:
        loads.append(len(loads))
        return len(loads)

    assert other_process.get("user_service.get_user:5", load) == 1
    assert other_process.get("user_service.get_user:5", load) == 1
    client.clear_keys(keys=["user_service.get_user:5"])
    assert other_process.get("user_service.get_user:5", load) == 2
    assert loads == [0, 1]
    with pytest.raises(InvalidArgument) as empty:
        client.clear_keys(keys=[])
    assert empty.value.field == "keys"
    with pytest.raises(InvalidArgument):
        client.clear_keys(keys=["k" * 256])
