"""Organization provisioning through a region, what delivering its outbox messages costs, and
delivery lag, each against a baseline measured in the same run.

- creations: CreateOrganization on `silo serve region` (which calls the control silo over gRPC)
  vs the same service code wired in process to the control silo's implementations, with one
  caller and with four concurrent callers; rounds alternate which side runs first, and the
  ratios are printed as min / median over the rounds. With one caller a creation through a
  region is two round trips longer than in process, so each round also times a signed call to a
  server that checks the signature, claims it against replays and answers at once (the least a
  hop costs under the wire contract) and prints the ceiling those two round trips leave:
  in-process time / (in-process time + two such calls).
- CPU: both server processes' CPU time (``/proc/<pid>/stat``) per creation, first with their
  outbox drainers held (the synchronous path alone), then for delivering that backlog once the
  drainers are released (both outboxes: the region's mappings to the control silo, the control
  silo's slug reservations to the region).
- lag: from an AddOrganizationMember commit in the region until the membership mapping is visible
  in the control database, under a steady write load, vs one direct UpsertMember call.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from control_silo.bootstrap import build_control_silo
from control_silo.db.models import ControlOutboxRow, OrganizationMemberMappingRow
from region_silo.bootstrap import build_region_silo
from region_silo.db.models import RegionOutboxRow
from region_silo.services.organization_service import DatabaseOrganizationService
from shared.config import Settings
from shared.db.engine import make_engine
from shared.generated.silo.user.v1 import user_pb2
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
from tests.benchmarks.bare_server import serving
from tests.benchmarks.cluster import SECRET
from tests.benchmarks.harness import sequential_latency
from tests.integration.processes import (
    control_process,
    free_port,
    region_process,
    run_silo,
    stop_process,
    wait_serving,
)

ROUNDS = int(os.environ.get("SILO_BENCH_REGION_ROUNDS", "3"))
CREATIONS = 150
CALLERS = 4
WRITES = 300
WRITES_PER_SECOND = 50
HOP_CALLS = 300
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Rates:
    """Creations per second with one caller and with ``CALLERS`` callers."""

    sequential: float
    concurrent: float


@dataclass(frozen=True)
class CpuSplit:
    """CPU seconds per creation of both server processes together."""

    synchronous: float
    delivery: float


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _migrate(*pairs: tuple[str, str]) -> None:
    for silo, url in pairs:
        upgraded = run_silo("upgrade", "--silo", silo, "--database-url", url)
        if upgraded.returncode != 0:
            raise SystemExit(upgraded.stderr)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _sequential(create: Callable[[str], object], prefix: str) -> float:
    started = time.perf_counter()
    for index in range(CREATIONS):
        create(f"{prefix}-s{index}")
    return CREATIONS / (time.perf_counter() - started)


def _concurrent(create: Callable[[str], object], prefix: str) -> float:
    each = CREATIONS // CALLERS
    barrier = threading.Barrier(CALLERS + 1)
    failures: list[BaseException] = []

    def caller(number: int) -> None:
        barrier.wait()
        try:
            for index in range(each):
                create(f"{prefix}-c{number}-{index}")
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(CALLERS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return each * CALLERS / (time.perf_counter() - started)


def _in_process(work: Path) -> Rates:
    control_url = f"sqlite:///{work / 'local-control.sqlite3'}"
    region_url = f"sqlite:///{work / 'local-region.sqlite3'}"
    _migrate(("control", control_url), ("region", region_url))
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

    def create(slug: str) -> object:
        return service.create_organization(slug=slug, name="L", owner_user_id=owner.id)

    rates = Rates(_sequential(create, "local"), _concurrent(create, "local"))
    region.close()
    control.close()
    return rates


def _signed_round_trip(work: Path) -> float:
    """Seconds of one call (the median of ``HOP_CALLS`` made one after another by a signed
    client) to a server that checks its signature and replay guard and answers fixed bytes. The
    median, not the mean: a stall would lengthen the round trip and lower the ceiling."""
    response = work / "echo-response.bin"
    response.write_bytes(
        user_pb2.GetUserResponse(user=user_pb2.User(id=1, username="echo")).SerializeToString()
    )
    with (
        serving(response, secret=SECRET) as address,
        open_channel(address, secret=SECRET) as channel,
    ):
        client = remote(UserService, channel)
        latency = sequential_latency(lambda: client.get_user(user_id=1), calls=HOP_CALLS)
        return latency.p50_us / 1e6


def _wait_drained(control_url: str, region_url: str, timeout: float = 120) -> None:
    engines = [
        (make_engine(control_url), ControlOutboxRow),
        (make_engine(region_url), RegionOutboxRow),
    ]
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            left = 0
            for engine, model in engines:
                with engine.connect() as connection:
                    left += connection.scalar(select(func.count()).select_from(model)) or 0
            if left == 0:
                return
            time.sleep(0.02)
        raise TimeoutError(f"{left} outbox rows still undelivered")
    finally:
        for engine, _ in engines:
            engine.dispose()


@dataclass(frozen=True)
class Remote:
    """What the run against `silo serve` measured: rates, both servers' CPU per sequential
    creation with the drainers delivering as they go (until both outboxes are empty), and
    delivery lag."""

    rates: Rates
    cpu_per_creation: float
    lags: list[float]
    direct: list[float]
    left: int


def _remote(work: Path, measure_lag: bool) -> Remote:
    control_url = f"sqlite:///{work / 'control.sqlite3'}"
    region_url = f"sqlite:///{work / 'region-us.sqlite3'}"
    _migrate(("control", control_url), ("region", region_url))
    region_address = f"127.0.0.1:{free_port()}"
    with (
        control_process(control_url, work, SECRET, "--region", f"us={region_address}") as control,
        region_process(
            "us", region_url, control.address, work, SECRET, listen=region_address
        ) as region_server,
    ):
        users = remote(UserService, open_channel(control.address, secret=SECRET))
        region = remote(OrganizationService, open_channel(region_address, secret=SECRET))
        owner = users.create_user(user=NewUser(username="owner", email="o@example.com"))

        def create(slug: str) -> object:
            return region.create_organization(slug=slug, name="R", owner_user_id=owner.id)

        pids = (control.process.pid, region_server.process.pid)
        before = sum(_cpu_seconds(pid) for pid in pids)
        sequential = _sequential(create, "remote")
        _wait_drained(control_url, region_url)
        cpu = (sum(_cpu_seconds(pid) for pid in pids) - before) / CREATIONS
        rates = Rates(sequential, _concurrent(create, "remote"))
        _wait_drained(control_url, region_url)
        lags: list[float] = []
        direct: list[float] = []
        left = 0
        if measure_lag:
            first = region.get_organization_by_slug(slug="remote-s0")
            lags = _delivery_lag(region, first.id, control_url)
            direct = _direct_upserts(control.address, first.id)
            backlog = make_engine(region_url)
            with backlog.connect() as connection:
                left = len(connection.execute(select(RegionOutboxRow.id)).all())
            backlog.dispose()
    return Remote(rates, cpu, lags, direct, left)


@contextmanager
def _held_silo(kind: str, url: str, other: str, work: Path, listen: str) -> Iterator[int]:
    """A silo whose drainer waits for SIGUSR1; yields its pid once it serves."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SILO_")}
    env["SILO_RPC_SHARED_SECRETS"] = SECRET
    with (work / f"held-{kind}.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.held_silo", kind, url, other, listen],
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
        )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        wait_serving(f"127.0.0.1:{port}")
        yield process.pid
    finally:
        stop_process(process)


def _cpu_split(work: Path) -> CpuSplit:
    control_url = f"sqlite:///{work / 'held-control.sqlite3'}"
    region_url = f"sqlite:///{work / 'held-region.sqlite3'}"
    _migrate(("control", control_url), ("region", region_url))
    control_address = f"127.0.0.1:{free_port()}"
    region_address = f"127.0.0.1:{free_port()}"
    with (
        _held_silo("control", control_url, region_address, work, control_address) as control,
        _held_silo("region", region_url, control_address, work, region_address) as region,
    ):
        users = remote(UserService, open_channel(control_address, secret=SECRET))
        organizations = remote(OrganizationService, open_channel(region_address, secret=SECRET))
        owner = users.create_user(user=NewUser(username="owner", email="o@example.com"))
        before = _cpu_seconds(control) + _cpu_seconds(region)
        for index in range(CREATIONS):
            organizations.create_organization(
                slug=f"held-{index}", name="H", owner_user_id=owner.id
            )
        synchronous = _cpu_seconds(control) + _cpu_seconds(region) - before
        before = _cpu_seconds(control) + _cpu_seconds(region)
        os.kill(control, signal.SIGUSR1)
        os.kill(region, signal.SIGUSR1)
        _wait_drained(control_url, region_url)
        delivery = _cpu_seconds(control) + _cpu_seconds(region) - before
    return CpuSplit(synchronous / CREATIONS, delivery / CREATIONS)


def _spread(values: list[float], unit: str = "x", digits: int = 2) -> str:
    return (
        f"min {min(values):.{digits}f}{unit}  median {statistics.median(values):.{digits}f}{unit}"
    )


def run() -> None:
    """Prints creation throughput ratios, the CPU split and delivery lag with their baselines."""
    local: list[Rates] = []
    hops: list[float] = []
    remote_rates: list[Rates] = []
    streaming: list[float] = []
    cpu: list[CpuSplit] = []
    lags: list[float] = []
    direct: list[float] = []
    left = 0
    with tempfile.TemporaryDirectory() as scratch:
        for round_number in range(ROUNDS):
            work = Path(scratch) / f"round-{round_number}"
            work.mkdir()
            last = round_number == ROUNDS - 1
            if round_number % 2:
                cpu.append(_cpu_split(work))
                measured = _remote(work, last)
                local.append(_in_process(work))
            else:
                local.append(_in_process(work))
                measured = _remote(work, last)
                cpu.append(_cpu_split(work))
            hops.append(_signed_round_trip(work))
            remote_rates.append(measured.rates)
            streaming.append(measured.cpu_per_creation)
            if last:
                lags, direct, left = measured.lags, measured.direct, measured.left

    sequential = [r.sequential / b.sequential for r, b in zip(remote_rates, local, strict=True)]
    concurrent = [r.concurrent / b.concurrent for r, b in zip(remote_rates, local, strict=True)]
    cpu_ratio = [split.delivery / split.synchronous for split in cpu]
    print(f"Organizations through a region (SQLite; {ROUNDS} alternating rounds, {CREATIONS} each)")
    for label, pick in [("1 caller ", "sequential"), (f"{CALLERS} callers", "concurrent")]:
        remote_values = [getattr(r, pick) for r in remote_rates]
        local_values = [getattr(r, pick) for r in local]
        print(
            f"  creations/s {label}  region over gRPC median "
            f"{statistics.median(remote_values):6.1f}   in process median "
            f"{statistics.median(local_values):6.1f}"
        )
    print(f"  ratio to in process, 1 caller:  {_spread(sequential)}")
    # One caller waits for the region and, through it, for the control silo: two round trips.
    ceiling = [
        1 / b.sequential / (1 / b.sequential + 2 * hop) for b, hop in zip(local, hops, strict=True)
    ]
    print(
        f"    ceiling that two round trips leave, 1 caller: {_spread(ceiling)}   (a signed call "
        f"to a server answering at once after its signature check: median "
        f"{statistics.median(hops) * 1e6:.0f}us; in process median "
        f"{statistics.median([1e6 / b.sequential for b in local]):.0f}us per creation)"
    )
    print(f"  ratio to in process, {CALLERS} callers: {_spread(concurrent)}")
    print("CPU per creation, both server processes (drainers held, then released)")
    print(
        f"  synchronous path {_spread([c.synchronous * 1000 for c in cpu], ' ms', 1)}   "
        f"outbox delivery {_spread([c.delivery * 1000 for c in cpu], ' ms', 1)}"
    )
    print(f"  delivery / synchronous: {_spread(cpu_ratio)}")
    # With the drainers delivering right after each commit (`silo serve`): the whole CPU per
    # creation, less the synchronous path's of the same round.
    live = [total - split.synchronous for total, split in zip(streaming, cpu, strict=True)]
    print(
        f"  delivering as it goes (silo serve, total less synchronous) "
        f"{_spread([value * 1000 for value in live], ' ms', 1)}"
    )
    print(
        f"  delivering as it goes / synchronous: "
        f"{_spread([value / split.synchronous for value, split in zip(live, cpu, strict=True)])}"
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


if __name__ == "__main__":
    run()
