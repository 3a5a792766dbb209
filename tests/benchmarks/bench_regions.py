"""Organization provisioning through a region, and outbox delivery lag, each against a baseline
measured in the same run.

- creations: CreateOrganization on `silo serve region` (which calls the control silo twice over
  gRPC) vs the same service code wired in process to the control silo's implementations.
- lag: from an AddOrganizationMember commit in the region until the membership mapping is visible
  in the control database, under a steady write load, vs one direct UpsertMember call (what the
  drainer itself spends delivering a message).
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import select

from control_silo.bootstrap import build_control_silo
from control_silo.db.models import OrganizationMemberMappingRow
from region_silo.bootstrap import build_region_silo
from region_silo.db.models import RegionOutboxRow
from region_silo.services.organization_service import DatabaseOrganizationService
from shared.config import Settings
from shared.db.engine import make_engine
from shared.outbox.writer import OutboxWriter
from shared.rpc.channel import open_channel
from shared.services.organization.model import MemberRole
from shared.services.organization.service import OrganizationService
from shared.services.organization_mapping.model import MemberMappingUpdate
from shared.services.organization_mapping.service import (
    OrganizationMappingService,
    OrganizationMemberMappingService,
)
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.registry import remote
from shared.services.user.model import NewUser
from shared.services.user.service import UserService
from shared.silo_mode import SiloMode
from tests.benchmarks.cluster import SECRET, control_and_region
from tests.integration.processes import run_silo

CREATIONS = 150
WRITES = 300
WRITES_PER_SECOND = 50


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _in_process_creations(work: Path) -> float:
    control_url = f"sqlite:///{work / 'local-control.sqlite3'}"
    region_url = f"sqlite:///{work / 'local-region.sqlite3'}"
    for silo, url in [("control", control_url), ("region", region_url)]:
        run_silo("upgrade", "--silo", silo, "--database-url", url)
    control = build_control_silo(
        Settings(mode=SiloMode.CONTROL, database_url=control_url, password_iterations=1000)
    )
    region = build_region_silo(
        Settings(mode=SiloMode.REGION, region_name="us", database_url=region_url)
    )
    service = DatabaseOrganizationService(
        region.sessions,
        OutboxWriter(RegionOutboxRow, per_region=False),
        region_name="us",
        users=control.services.get(UserService),
        provisioning=control.services.get(OrganizationProvisioningService),
        mappings=control.services.get(OrganizationMappingService),
    )
    owner = control.services.get(UserService).create_user(user=NewUser(username="owner"))
    started = time.perf_counter()
    for index in range(CREATIONS):
        service.create_organization(slug=f"local-{index}", name="Local", owner_user_id=owner.id)
    rate = CREATIONS / (time.perf_counter() - started)
    region.close()
    control.close()
    return rate


def run() -> None:
    """Prints creation throughput and delivery lag with their baselines."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        local_rate = _in_process_creations(work)
        with control_and_region(work) as cluster:
            users = remote(UserService, open_channel(cluster.control_address, secret=SECRET))
            region = remote(
                OrganizationService, open_channel(cluster.region_address, secret=SECRET)
            )
            owner = users.create_user(user=NewUser(username="owner", email="o@example.com"))
            started = time.perf_counter()
            organizations = [
                region.create_organization(slug=f"remote-{i}", name="R", owner_user_id=owner.id)
                for i in range(CREATIONS)
            ]
            remote_rate = CREATIONS / (time.perf_counter() - started)
            lags = _delivery_lag(region, organizations[0].id, cluster.control_url)
            direct = _direct_upserts(cluster.control_address, organizations[0].id)
            backlog = make_engine(cluster.region_url)
            with backlog.connect() as connection:
                left = len(connection.execute(select(RegionOutboxRow.id)).all())
            backlog.dispose()

    print("Organizations through a region (SQLite; control round trips included)")
    print(
        f"  creations/s      region over gRPC {remote_rate:7.1f}   in process {local_rate:7.1f}   "
        f"ratio {remote_rate / local_rate:4.2f}x"
    )
    print(
        f"Outbox delivery lag, commit in region -> mapping visible in control "
        f"({WRITES} writes at {WRITES_PER_SECOND}/s)"
    )
    print(
        f"  lag p50 {statistics.median(lags):7.1f} ms   p99 {_percentile(lags, 0.99):7.1f} ms   "
        f"max {max(lags):7.1f} ms"
    )
    print(
        f"  one direct UpsertMember call: p50 {statistics.median(direct):5.1f} ms   "
        f"(lag p50 = {statistics.median(lags) / statistics.median(direct):4.1f}x)"
    )
    print(f"  rows left in the region outbox afterwards: {left}")


def _delivery_lag(
    region: OrganizationService, organization_id: int, control_url: str
) -> list[float]:
    committed: dict[int, float] = {}
    seen: dict[int, float] = {}
    done = threading.Event()
    engine = make_engine(control_url)

    def watch() -> None:
        last = 0
        while not done.is_set() or len(seen) < len(committed):
            with engine.connect() as connection:
                for row_id, member_id in connection.execute(
                    select(
                        OrganizationMemberMappingRow.id,
                        OrganizationMemberMappingRow.organizationmember_id,
                    )
                    .where(OrganizationMemberMappingRow.id > last)
                    .order_by(OrganizationMemberMappingRow.id)
                ):
                    seen.setdefault(member_id, time.perf_counter())
                    last = row_id
            time.sleep(0.001)
            if done.is_set() and time.perf_counter() - finished[0] > 30:
                break

    finished = [0.0]
    watcher = threading.Thread(target=watch)
    watcher.start()
    interval = 1.0 / WRITES_PER_SECOND
    start = time.perf_counter()
    for index in range(WRITES):
        time.sleep(max(0.0, start + index * interval - time.perf_counter()))
        member = region.add_organization_member(
            organization_id=organization_id,
            email=f"lag-{index}-{uuid.uuid4().hex[:6]}@example.com",
            role=MemberRole.MEMBER,
        )
        committed[member.id] = time.perf_counter()
    finished[0] = time.perf_counter()
    done.set()
    watcher.join()
    engine.dispose()
    return [(seen[member] - at) * 1000 for member, at in committed.items() if member in seen]


def _direct_upserts(control_address: str, organization_id: int) -> list[float]:
    client = remote(OrganizationMemberMappingService, open_channel(control_address, secret=SECRET))
    samples = []
    for index in range(100):
        started = time.perf_counter()
        client.upsert_member(
            update=MemberMappingUpdate(
                organization_id=organization_id,
                organizationmember_id=10_000_000 + index,
                user_id=None,
                email=f"direct-{index}@example.com",
                role="member",
                inviter_id=None,
                version=1,
            )
        )
        samples.append((time.perf_counter() - started) * 1000)
    return samples
