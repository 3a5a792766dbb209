"""GetUser throughput of `silo serve control --workers 2` against `--workers 1` (SQLite, signed,
the replay guard in Redis for both), in alternating rounds: 16 callers in two client processes,
each caller on its own connection so the kernel spreads them among the workers. Prints the
throughput ratio and each worker's CPU (user + system seconds from /proc) per 1,000 calls."""

from __future__ import annotations

import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from shared.services.registry import remote
from shared.services.user.model import NewUser
from shared.services.user.service import UserService
from tests.integration.processes import free_port, run_silo
from tests.integration.workers import Served, own_connection, redis_test_url, serve

SECRET = "benchmark-secret"
REDIS_DATABASE = 14  # the benchmark's own Redis database
ROUNDS = 3
CLIENT_PROCESSES = 2
CALLERS_PER_PROCESS = 8
CALLS_PER_CALLER = 200
TARGET = 0.95
CALL_TIMEOUT_SECONDS = 30.0  # the machine may be busy; a slow call is measured, not failed
BARRIER_SECONDS = 120.0


@dataclass
class Side:
    """One server under test: its address and the pids of the processes that answer."""

    label: str
    address: str
    pids: list[int]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _callers(
    address: str, user_id: int, barrier: Barrier, results: multiprocessing.Queue[Any]
) -> None:
    """One client process: its callers each on their own connection, started together."""
    import threading  # noqa: PLC0415 - runs in a spawned process

    failures: list[BaseException] = []
    clients = [
        remote(
            UserService,
            own_connection(address, SECRET, timeout=CALL_TIMEOUT_SECONDS),
            CALL_TIMEOUT_SECONDS,
        )
        for _ in range(CALLERS_PER_PROCESS)
    ]
    try:
        for client in clients:
            client.get_user(user_id=user_id)
    except BaseException as error:
        failures.append(error)

    def call(client: UserService) -> None:
        try:
            for _ in range(CALLS_PER_CALLER):
                client.get_user(user_id=user_id)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=call, args=(client,)) for client in clients]
    barrier.wait(timeout=BARRIER_SECONDS)
    if failures:
        threads = []
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((time.perf_counter() - started, repr(failures[0]) if failures else None))


def _throughput(side: Side, user_id: int) -> tuple[float, list[float]]:
    """Calls per second of every client process together, and each answering process's CPU
    seconds meanwhile."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(CLIENT_PROCESSES + 1)
    results: multiprocessing.Queue[Any] = context.Queue()
    clients = [
        context.Process(target=_callers, args=(side.address, user_id, barrier, results))
        for _ in range(CLIENT_PROCESSES)
    ]
    for client in clients:
        client.start()
    barrier.wait(timeout=BARRIER_SECONDS)
    cpu_before = [_cpu_seconds(pid) for pid in side.pids]
    outcomes = [results.get(timeout=300) for _ in clients]
    cpu = [_cpu_seconds(pid) - before for pid, before in zip(side.pids, cpu_before, strict=True)]
    for client in clients:
        client.join(30)
    failed = [failure for _, failure in outcomes if failure]
    if failed:
        raise SystemExit(f"{side.label}: a call failed: {failed[0]}")
    calls = CLIENT_PROCESSES * CALLERS_PER_PROCESS * CALLS_PER_CALLER
    return calls / max(elapsed for elapsed, _ in outcomes), cpu


@contextmanager
def _control(url: str, work: Path, workers: int, redis_url: str) -> Iterator[Side]:
    with serve(
        [
            "control",
            "--workers",
            str(workers),
            "--database-url",
            url,
            "--listen",
            f"127.0.0.1:{free_port()}",
        ],
        work,
        {"SILO_RPC_SHARED_SECRETS": SECRET, "SILO_CACHE_REDIS_URL": redis_url},
    ) as served:
        yield Side(f"--workers {workers}", served.address, _answering(served))


def _answering(served: Served) -> list[int]:
    return served.worker_pids or [served.process.pid]


def run() -> None:
    """Prints GetUser throughput with two workers and with one, their ratio, and the CPU each
    worker spent per 1,000 calls."""
    redis_url = redis_test_url(REDIS_DATABASE)
    if redis_url is None:
        print("(no Redis answers; set SILO_TEST_REDIS_URL to compare --workers 2 with 1)")
        return
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        work = Path(scratch)
        url = f"sqlite:///{work / 'control.sqlite3'}"
        upgraded = run_silo("upgrade", "--silo", "control", "--database-url", url)
        if upgraded.returncode != 0:
            raise SystemExit(upgraded.stderr)
        sides = [stack.enter_context(_control(url, work, n, redis_url)) for n in (1, 2)]
        users = remote(UserService, own_connection(sides[0].address, SECRET))
        user_id = users.create_user(
            user=NewUser(username="bench", email="bench@example.com", name="Bench Mark")
        ).id
        rates: dict[str, list[float]] = {side.label: [] for side in sides}
        cpu: dict[str, list[list[float]]] = {side.label: [] for side in sides}
        _throughput(sides[0], user_id)  # warm both servers and the caches
        _throughput(sides[1], user_id)
        for _ in range(ROUNDS):
            for side in sides:
                rate, seconds = _throughput(side, user_id)
                rates[side.label].append(rate)
                cpu[side.label].append(seconds)
    calls = CLIENT_PROCESSES * CALLERS_PER_PROCESS * CALLS_PER_CALLER
    print(
        f"GetUser, {CLIENT_PROCESSES * CALLERS_PER_PROCESS} callers on their own connections in "
        f"{CLIENT_PROCESSES} client processes, {os.cpu_count()} cores, SQLite, signed "
        f"(replay guard in Redis); {ROUNDS} alternating rounds"
    )
    for side in sides:
        label = side.label
        per_worker = [
            statistics.median(round_cpu[index] for round_cpu in cpu[label]) * 1000 / calls
            for index in range(len(side.pids))
        ]
        shares = ", ".join(f"{seconds * 1000:.0f}ms" for seconds in per_worker)
        print(
            f"  {label:12} calls/s min {min(rates[label]):6.0f} median "
            f"{statistics.median(rates[label]):6.0f}   CPU per 1000 calls by worker: {shares}"
        )
    one, two = (statistics.median(rates[side.label]) for side in sides)
    print(f"  --workers 2 / --workers 1 throughput: {two / one:.2f}x (target >= {TARGET})")


if __name__ == "__main__":
    run()
