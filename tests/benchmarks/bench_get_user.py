"""GetUser through `silo serve control` (SQLite, signed, logged) against a bare grpcio server
returning the same User message, both measured in this run, in alternating rounds so that
machine noise hits both sides alike."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import grpc

from control_silo.bootstrap import build_control_silo
from shared.config import Settings
from shared.generated.silo.user.v1 import user_pb2, user_pb2_grpc
from shared.rpc.channel import open_channel
from shared.services.registry import USER, remote
from shared.services.user.model import NewUser, UserUpdate
from shared.services.user.service import UserService
from shared.silo_mode import SiloMode
from tests.benchmarks.harness import sequential_latency, throughput
from tests.integration.processes import control_process, run_silo

SECRET = "benchmark-secret"
ROUNDS = 5
CALLS_PER_ROUND = 800
CALLERS = 16
CALLS_PER_CALLER = 150


def _seed(client: UserService) -> int:
    user = client.create_user(
        user=NewUser(username="bench", email="bench@example.com", name="Bench Mark", password="pw")
    )
    client.update_user(user_id=user.id, update=UserUpdate(email="bench.work@example.com"))
    client.verify_user_email(user_id=user.id, email="bench@example.com")
    client.add_permission(user_id=user.id, permission="users.admin")
    return user.id


@contextmanager
def _bare_server(response_file: Path) -> Iterator[int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.bare_server", str(response_file)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield int(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=10)


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
            rate[name].append(throughput(call, callers=CALLERS, calls_each=CALLS_PER_CALLER))
    return {
        name: (
            statistics.median(p50[name]),
            statistics.median(p99[name]),
            statistics.median(rate[name]),
        )
        for name in calls
    }


def run() -> None:
    """Prints latency and throughput of both servers and their ratios."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        url = f"sqlite:///{work / 'control.sqlite3'}"
        upgraded = run_silo("upgrade", "--silo", "control", "--database-url", url)
        if upgraded.returncode != 0:
            raise SystemExit(upgraded.stderr)
        with control_process(url, work, SECRET) as server:
            client = remote(UserService, open_channel(server.address, secret=SECRET))
            user_id = _seed(client)
            response = USER.binding.methods["get_user"].response_from_result(
                client.get_user(user_id=user_id)
            )
            response_file = work / "response.bin"
            response_file.write_bytes(response.SerializeToString())
            with _bare_server(response_file) as port:
                stub = user_pb2_grpc.UserServiceStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
                request = user_pb2.GetUserRequest(user_id=user_id)
                assert stub.GetUser(request, timeout=5) == response
                results = _rounds(
                    {
                        "silo": lambda: client.get_user(user_id=user_id),
                        "bare": lambda: stub.GetUser(request, timeout=5),
                    }
                )
        local = build_control_silo(Settings(mode=SiloMode.CONTROL, database_url=url))
        service = local.services.get(UserService)
        in_process = sequential_latency(lambda: service.get_user(user_id=user_id), calls=2000)
        local.close()

    (silo_p50, silo_p99, silo_rate), (bare_p50, bare_p99, bare_rate) = (
        results["silo"],
        results["bare"],
    )
    print("GetUser: silo serve control (SQLite, signed, logged) vs bare grpcio, same response")
    print(f"  medians of {ROUNDS} alternating rounds       silo     bare grpcio   ratio")
    for label, silo, bare in [("p50", silo_p50, bare_p50), ("p99", silo_p99, bare_p99)]:
        print(
            f"    {label} latency, sequential     {silo:9.0f} us {bare:9.0f} us   "
            f"{silo / bare:5.2f}x"
        )
    print(
        f"    throughput, {CALLERS} callers      {silo_rate:9.0f} /s {bare_rate:9.0f} /s   "
        f"{silo_rate / bare_rate:5.2f}x"
    )
    print(
        f"  in-process get_user on the same database (no gRPC): p50 {in_process.p50_us:.0f} us, "
        f"{in_process.p50_us / bare_p50:.2f}x a bare round trip"
    )
