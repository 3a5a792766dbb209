"""The region cache never serves a value fetched before an invalidation after it: readers,
writers and invalidators interleaved step by step in a seeded random order."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pytest

from region_silo.cache.region_cache import RegionCache
from region_silo.cache.versions import MemoryVersionStore

KEYS = ["user_service.get_user:1", "user_service.get_user:2", "user_service.get_user:3"]


@dataclass
class World:
    """The control silo's data (one counter per key) and the pending invalidations (outbox)."""

    rng: random.Random
    committed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KEYS, 0))
    outbox: list[tuple[str, int]] = field(default_factory=list)
    # The newest committed value whose invalidation has been processed, per key: no read that
    # starts after that may return anything older.
    floor: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KEYS, 0))
    violations: list[str] = field(default_factory=list)

    def write(self) -> None:
        key = self.rng.choice(KEYS)
        self.committed[key] += 1
        self.outbox.append((key, self.committed[key]))

    def invalidate(self, cache: RegionCache[int]) -> None:
        if self.outbox:
            key, value = self.outbox.pop(self.rng.randrange(len(self.outbox)))
            cache.clear_keys([key])
            self.floor[key] = max(self.floor[key], value)

    def concurrent_steps(self, cache: RegionCache[int]) -> None:
        """Whatever other actors do while one reader is between its steps."""
        for _ in range(self.rng.randrange(3)):
            if self.rng.random() < 0.5:
                self.write()
            else:
                self.invalidate(cache)


def run_interleaving(
    seed: int, steps: int, make_cache: Callable[[MemoryVersionStore], RegionCache[int]]
) -> World:
    world = World(random.Random(seed))  # noqa: S311 - a seeded schedule, not a secret
    cache = make_cache(MemoryVersionStore())

    def load(missing: Sequence[str]) -> dict[str, int | None]:
        world.concurrent_steps(cache)  # between the version read and the fetch
        values: dict[str, int | None] = {key: world.committed[key] for key in missing}
        world.concurrent_steps(cache)  # between the fetch and the store
        return values

    for step in range(steps):
        roll = world.rng.random()
        if roll < 0.5:
            key = world.rng.choice(KEYS)
            floor = world.floor[key]
            value = cache.get_many([key], load)[key]
            if value is None or value < floor:
                world.violations.append(f"step {step}: {key} served {value} after {floor}")
        elif roll < 0.75:
            world.write()
        else:
            world.invalidate(cache)
    return world


@pytest.mark.parametrize("seed", range(20))
def test_no_stale_value_after_an_invalidation(seed: int) -> None:
    world = run_interleaving(seed, 5000, RegionCache)
    assert world.violations == []


class VersionAfterLoadCache(RegionCache[int]):
    """A broken cache that reads the version after loading: the race the design rules out."""

    def get_many(
        self, keys: Sequence[str], load: Callable[[Sequence[str]], dict[str, int | None]]
    ) -> dict[str, int | None]:
        loaded = load(keys)
        versions = self._versions.versions(keys)
        found: dict[str, int | None] = {}
        for key, version in zip(keys, versions, strict=True):
            physical = self.physical_key(key, version)
            cached = self._values.get(physical)
            if cached is None:
                cached = loaded[key]
                self._values[physical] = cached  # type: ignore[assignment]
            found[key] = cached
        return found


def test_the_checker_catches_the_race() -> None:
    """Proof that the interleaving finds the bug when the version is read at the wrong time."""
    stale = sum(
        len(run_interleaving(seed, 5000, VersionAfterLoadCache).violations) for seed in range(5)
    )
    assert stale > 0


def test_none_is_not_cached() -> None:
    cache: RegionCache[int] = RegionCache(MemoryVersionStore())
    calls: list[int] = []

    def load() -> int | None:
        calls.append(1)
        return None

    assert cache.get("k", load) is None and cache.get("k", load) is None
    assert len(calls) == 2


def test_hits_and_ttl() -> None:
    now = [0.0]
    cache: RegionCache[int] = RegionCache(
        MemoryVersionStore(), ttl_seconds=10, timer=lambda: now[0]
    )
    loads: list[int] = []

    def loader(value: int) -> Callable[[], int]:
        def load() -> int:
            loads.append(value)
            return value

        return load

    assert cache.get("k", loader(7)) == 7
    assert cache.get("k", loader(8)) == 7
    assert (cache.stats.hits, cache.stats.misses, loads) == (1, 1, [7])
    now[0] = 11
    assert cache.get("k", loader(9)) == 9
    assert loads == [7, 9]
