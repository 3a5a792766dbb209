"""The region cache: a hit against the remote call it saves, staleness after a change in the
control silo, and the hit ratio of a skewed read mix, each with its baseline from the same run."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from region_silo.bootstrap import build_region_silo
from region_silo.cache.region_cache import RegionCache
from region_silo.cache.user_client import CachedUserServiceClient
from shared.config import Settings
from shared.rpc.channel import open_channel
from shared.services.organization.service import OrganizationService
from shared.services.registry import remote
from shared.services.user.model import NewUser, User, UserUpdate
from shared.services.user.service import UserService
from shared.silo_mode import SiloMode
from tests.benchmarks.cluster import SECRET, control_and_region
from tests.benchmarks.harness import sequential_latency

STALENESS_UPDATES = 200
MIX_USERS = 500
MIX_READS = 20_000


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run() -> None:
    """Prints hit-vs-remote latency, staleness percentiles and the read-mix hit ratio."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        with control_and_region(work) as cluster:
            users = remote(UserService, open_channel(cluster.control_address, secret=SECRET))
            owner = users.create_user(user=NewUser(username="owner", email="owner@example.com"))
            # The region's own cache machinery (shared versions in its database), in this process.
            region = build_region_silo(
                Settings(
                    mode=SiloMode.REGION,
                    region_name="us",
                    database_url=cluster.region_url,
                    control_address=cluster.control_address,
                    rpc_shared_secrets=(SECRET,),
                )
            )
            cached = CachedUserServiceClient(users, region.cache)
            cached.get_user(user_id=owner.id)
            hit = sequential_latency(lambda: cached.get_user(user_id=owner.id), calls=5000)
            uncached = sequential_latency(lambda: users.get_user(user_id=owner.id), calls=2000)
            staleness = _staleness(users, cluster.region_address, owner)
            ratio, reads = _read_mix(users, region.cache, cached)
            region.close()

    print("Region cache (SQLite versions; control silo on loopback, signed)")
    print(
        f"  get_user p50: cache hit {hit.p50_us:7.1f} us   remote call {uncached.p50_us:7.1f} us   "
        f"hit is {uncached.p50_us / hit.p50_us:5.1f}x faster"
    )
    print(
        f"  staleness, UpdateUser commit -> ListMembers shows it ({STALENESS_UPDATES} updates, "
        f"drainers running): p50 {statistics.median(staleness):6.1f} ms   "
        f"p99 {_percentile(staleness, 0.99):6.1f} ms   max {max(staleness):6.1f} ms"
    )
    print(
        f"  hit ratio, {reads} reads with 80% on 20% of {MIX_USERS} users and 1% updates: "
        f"{ratio * 100:5.1f}%"
    )


def _staleness(users: UserService, region_address: str, owner: User) -> list[float]:
    region = remote(OrganizationService, open_channel(region_address, secret=SECRET))
    organization = region.create_organization(
        slug=f"stale-{uuid.uuid4().hex[:6]}", name="Staleness", owner_user_id=owner.id
    )
    while users.get_member_region_names(user_id=owner.id) != ["us"]:
        time.sleep(0.01)
    region.list_members(organization_id=organization.id)
    samples = []
    for index in range(STALENESS_UPDATES):
        name = f"name-{index}"
        users.update_user(user_id=owner.id, update=UserUpdate(name=name))
        committed = time.perf_counter()
        while True:
            member = region.list_members(organization_id=organization.id)[0]
            if member.user is not None and member.user.name == name:
                break
            time.sleep(0.0005)
        samples.append((time.perf_counter() - committed) * 1000)
    return samples


def _read_mix(
    users: UserService, cache: RegionCache[User], cached: CachedUserServiceClient
) -> tuple[float, int]:
    ids = [
        users.create_user(user=NewUser(username=f"mix-{i}", email=f"mix-{i}@example.com")).id
        for i in range(MIX_USERS)
    ]
    hot, cold = ids[: MIX_USERS // 5], ids[MIX_USERS // 5 :]
    rng = random.Random(7)  # noqa: S311 - a reproducible workload, not a secret
    hits, misses = cache.stats.hits, cache.stats.misses
    for _ in range(MIX_READS):
        user_id = rng.choice(hot) if rng.random() < 0.8 else rng.choice(cold)
        if rng.random() < 0.01:
            cache.clear_keys([f"user_service.get_user:{user_id}"])  # what an update's delivery does
        cached.get_user(user_id=user_id)
    hits, misses = cache.stats.hits - hits, cache.stats.misses - misses
    return hits / (hits + misses), hits + misses
