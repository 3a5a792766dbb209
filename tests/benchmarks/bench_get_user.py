"""GetUser through `silo serve control` (SQLite, signed, logged) against the floor: a bare grpcio
server doing the same reads with the raw ``sqlite3`` module, rows straight into the response.
Every server is called by the same signed client, in alternating rounds so that machine noise
hits all sides alike; the control silo runs twice, with its user read cache (warm: every call
after the first is a hit, checked with one version read) and with the cache turned off. When a
PostgreSQL server is reachable (``SILO_BENCH_POSTGRES_URL``, else ``SILO_TEST_DATABASE_URL``,
else the local default), the control silo runs a third time on a fresh PostgreSQL database with
the cache off, compared with the same on SQLite. For reference, the floor also runs on as few
threads as Silo's server keeps busy (``shared.rpc.thread_pool``): the targets are against the
floor on 16, and this line shows what the thread count alone is worth to any grpcio server.

Two echo servers answer fixed bytes: one at once, one after checking the call's signature and
claiming it against replays, which the wire contract asks of every server before it answers. The
second is the least a warm-cache answer can cost: the room left under the warm-cache target is
the distance between it and ``WARM_TARGET`` of the floor."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from control_silo.bootstrap import build_control_silo
from control_silo.cache.user_cache import TTL_VARIABLE
from shared.config import Settings
from shared.rpc.channel import open_channel
from shared.rpc.thread_pool import DEFAULT_CORE_THREADS as SILO_CORE_THREADS
from shared.services.registry import USER, remote
from shared.services.user.model import NewUser, UserUpdate
from shared.services.user.service import UserService
from shared.silo_mode import SiloMode
from tests.benchmarks.bare_server import serving
from tests.benchmarks.harness import sequential_latency, throughput
from tests.databases import TEST_DATABASE_VARIABLE
from tests.integration.processes import free_port, run_silo, silo_command, wait_serving

SECRET = "benchmark-secret"
ROUNDS = 5
CALLS_PER_ROUND = 800
CALLERS = 16
CALLS_PER_CALLER = 150
POSTGRES_VARIABLE = "SILO_BENCH_POSTGRES_URL"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
POSTGRES_SIDE = "silo PG, no cache"
WARM_TARGET = 0.90
FEW_THREADS_SIDE = f"floor, {SILO_CORE_THREADS} threads"
SIGNED_ECHO_SIDE = "echo, signature checked"


def _seed(client: UserService) -> int:
    user = client.create_user(
        user=NewUser(username="bench", email="bench@example.com", name="Bench Mark", password="pw")
    )
    client.update_user(user_id=user.id, update=UserUpdate(email="bench.work@example.com"))
    client.verify_user_email(user_id=user.id, email="bench@example.com")
    client.add_permission(user_id=user.id, permission="users.admin")
    client.add_user_role(user_id=user.id, role="Super Admin")
    return user.id


@contextmanager
def _control(url: str, work: Path, cache_ttl: str, label: str = "") -> Iterator[str]:
    """`silo serve control` on a free port, its read cache's time-to-live set; its address."""
    address = f"127.0.0.1:{free_port()}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("SILO_")}
    env |= {"SILO_RPC_SHARED_SECRETS": SECRET, TTL_VARIABLE: cache_ttl}
    command = silo_command(
        "serve", "control", "--database-url", url, "--listen", address, "--metrics-listen",
        f"127.0.0.1:{free_port()}",
    )  # fmt: skip
    with (work / f"control{label}-{cache_ttl}.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
    try:
        wait_serving(address)
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)


def _postgres_server() -> str | None:
    """The PostgreSQL server to compare with, or None (with a note) when none answers."""
    url = os.environ.get(POSTGRES_VARIABLE) or os.environ.get(TEST_DATABASE_VARIABLE)
    engine = create_engine(url or DEFAULT_POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            return url or DEFAULT_POSTGRES
    except OperationalError:
        print(f"(no PostgreSQL answers; set {POSTGRES_VARIABLE} to compare with it)")
        return None
    finally:
        engine.dispose()


@contextmanager
def _postgres_database(server: str) -> Iterator[str]:
    """A fresh database on ``server``, migrated to head, dropped afterwards; its URL."""
    name = f"silo_bench_{os.getpid()}_{int(time.time())}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        upgraded = run_silo("upgrade", "--silo", "control", "--database-url", url)
        if upgraded.returncode != 0:
            raise SystemExit(upgraded.stderr)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _rounds(calls: dict[str, Callable[[], object]]) -> dict[str, tuple[float, float, float]]:
    """Per side: median over rounds of p50 and p99 latency (us) and of throughput (calls/s)."""
    p50: dict[str, list[float]] = {name: [] for name in calls}
    p99: dict[str, list[float]] = {name: [] for name in calls}
    rate: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(ROUNDS):
        for name, call in calls.items():
            latency = sequential_latency(call, calls=CALLS_PER_ROUND, warmup=100)
            p50[name].append(latency.p50_us)
            p99[name].append(latency.p99_us)
        for name, call in calls.items():
            rate[name].append(throughput(call, callers=CALLERS, calls_each=CALLS_PER_CALLER))
    return {
        name: (
            statistics.median(p50[name]),
            statistics.median(p99[name]),
            statistics.median(rate[name]),
        )
        for name in calls
    }


def _getter(client: UserService, user_id: int) -> Callable[[], object]:
    return lambda: client.get_user(user_id=user_id)


def _client(address: str) -> UserService:
    return remote(UserService, open_channel(address, secret=SECRET))


def run() -> None:
    """Prints latency and throughput of every server and their ratios to the floor's."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        database = work / "control.sqlite3"
        url = f"sqlite:///{database}"
        upgraded = run_silo("upgrade", "--silo", "control", "--database-url", url)
        if upgraded.returncode != 0:
            raise SystemExit(upgraded.stderr)
        with ExitStack() as stack:
            cached = stack.enter_context(_control(url, work, "60"))
            uncached = stack.enter_context(_control(url, work, "0"))
            silo = _client(cached)
            user_id = _seed(silo)
            user = silo.get_user(user_id=user_id)
            response_file = work / "response.bin"
            response = USER.binding.methods["get_user"].response_from_result(user)
            response_file.write_bytes(response.SerializeToString())
            floor = stack.enter_context(serving(response_file, str(database)))
            echo = stack.enter_context(serving(response_file))
            signed_echo = stack.enter_context(serving(response_file, secret=SECRET))
            few_threads = stack.enter_context(
                serving(response_file, str(database), threads=SILO_CORE_THREADS)
            )
            sides = {
                "silo, cache warm": silo,
                "silo, no cache": _client(uncached),
                "floor": _client(floor),
                "echo": _client(echo),
                SIGNED_ECHO_SIDE: _client(signed_echo),
                FEW_THREADS_SIDE: _client(few_threads),
            }
            for name, client in sides.items():
                if client.get_user(user_id=user_id) != user:
                    raise SystemExit(f"{name} answers GetUser differently")
            postgres = _postgres_server()
            if postgres is not None:
                postgres_url = stack.enter_context(_postgres_database(postgres))
                on_postgres = _client(stack.enter_context(_control(postgres_url, work, "0", "-pg")))
                if _seed(on_postgres) != user_id:
                    raise SystemExit("the PostgreSQL silo gave the benchmark user another id")
                sides[POSTGRES_SIDE] = on_postgres
            time.sleep(0.5)
            results = _rounds({name: _getter(client, user_id) for name, client in sides.items()})
        local = build_control_silo(Settings(mode=SiloMode.CONTROL, database_url=url))
        service = local.services.get(UserService)
        in_process = sequential_latency(lambda: service.get_user(user_id=user_id), calls=2000)
        local.close()

    floor_p50, _, floor_rate = results["floor"]
    print(
        "GetUser over gRPC, every server called by the same signed client (SQLite); "
        f"medians of {ROUNDS} alternating rounds"
    )
    print(f"  {'':22} {'p50':>8} {'p99':>8} {'x floor':>8} {'calls/s':>9} {'x floor':>8}")
    for name, (p50, p99, rate) in results.items():
        print(
            f"  {name:22} {p50:6.0f}us {p99:6.0f}us {p50 / floor_p50:7.2f}x "
            f"{rate:9.0f} {rate / floor_rate:7.2f}x   ({CALLERS} callers)"
        )
    print(
        f"  targets: no cache p50 <= 1.15x, cache warm p50 <= {WARM_TARGET:.2f}x, "
        f"throughput >= 0.75x; "
        f"in-process get_user (warm cache, no gRPC) p50 {in_process.p50_us:.0f}us"
    )
    print(
        f"  (silo runs its calls on {SILO_CORE_THREADS} threads while they keep finishing, "
        f"the floor on 16; the floor on {SILO_CORE_THREADS} answers "
        f"{results[FEW_THREADS_SIDE][2] / floor_rate:.2f}x its own calls/s, so silo no cache is "
        f"{results['silo, no cache'][2] / results[FEW_THREADS_SIDE][2]:.2f}x that)"
    )
    signed_p50 = results[SIGNED_ECHO_SIDE][0]
    room = WARM_TARGET * floor_p50 - signed_p50
    print(
        f"  (the signed echo checks the signature and the replay guard, as every server must, then "
        f"answers fixed bytes: {signed_p50 / floor_p50:.2f}x the floor, "
        + (
            f"leaving {room:.0f}us for a warm GetUser within its target"
            if room >= 0
            else "above the warm-cache target"
        )
        + f"; silo's warm answer: {results['silo, cache warm'][0] - signed_p50:+.0f}us against it)"
    )
    if POSTGRES_SIDE in results:
        ratio = results[POSTGRES_SIDE][0] / results["silo, no cache"][0]
        print(f"  PostgreSQL p50 {ratio:.2f}x SQLite's, both without the cache (target <= 1.25x)")


if __name__ == "__main__":
    run()
