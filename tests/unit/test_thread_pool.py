"""The server's thread pool: a few threads while the process computes, more while calls wait."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any

import pytest

from shared.rpc.thread_pool import ElasticThreadPool

WAIT = 10.0  # seconds a test waits for something that should happen at once


@pytest.fixture
def pools() -> Iterator[Callable[..., ElasticThreadPool]]:
    made: list[ElasticThreadPool] = []

    def make(most: int, **options: Any) -> ElasticThreadPool:
        pool = ElasticThreadPool(most, **options)
        made.append(pool)
        return pool

    yield make
    for pool in made:
        pool.shutdown(wait=True, cancel_futures=True)


def test_a_call_gives_its_result_or_its_exception(
    pools: Callable[..., ElasticThreadPool],
) -> None:
    pool = pools(4)

    def fail() -> None:
        raise LookupError("nothing here")

    assert pool.submit(lambda a, b=0: a + b, 2, b=3).result(WAIT) == 5
    with pytest.raises(LookupError, match="nothing here"):
        pool.submit(fail).result(WAIT)


def _compute(seconds: float) -> None:
    """Keeps the interpreter busy for ``seconds`` of this thread's CPU time."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


@pytest.mark.parametrize(
    ("seconds", "count"),
    # Short calls finish in every window; long ones leave windows with no call finished, yet
    # their threads compute and are not held up.
    [(0.002, 150), (0.25, 4)],
    ids=["short", "longer than a window"],
)
def test_calls_that_compute_run_on_the_core_threads_only(
    pools: Callable[..., ElasticThreadPool], seconds: float, count: int
) -> None:
    # Threads computing use about one core between them. Long windows and low thresholds keep
    # a busy test machine, which lends this process less, from passing for threads that wait.
    pool = pools(16, core=2, stall=0.1, waiting_cpu=0.1, waiting_pool_cpu=0.1)
    calls = [pool.submit(_compute, seconds) for _ in range(count)]
    futures.wait(calls, timeout=WAIT)
    assert all(call.done() for call in calls)
    assert pool.threads == 2


def _serve_waiting_calls(pool: ElasticThreadPool, *, rounds: int) -> None:
    """Rounds of 64 calls at once that each wait 15 ms, every one served."""
    for _ in range(rounds):
        calls = [pool.submit(time.sleep, 0.015) for _ in range(64)]
        futures.wait(calls, timeout=WAIT)
        assert all(call.done() for call in calls)


def test_calls_that_wait_get_more_threads_though_they_keep_finishing(
    pools: Callable[..., ElasticThreadPool],
) -> None:
    # Each call waits 15 ms (on another silo, say): calls finish all the time, yet two threads
    # would serve 16 at once eight times slower than 16 threads.
    pool = pools(16, core=2, stall=0.01)
    _serve_waiting_calls(pool, rounds=3)
    assert pool.threads >= 8


def test_threads_are_added_while_every_one_is_held_up(
    pools: Callable[..., ElasticThreadPool],
) -> None:
    # Each call waits for the last one to start: on two threads alone the third would never run.
    pool = pools(16, core=2, stall=0.02)
    started = [threading.Event() for _ in range(6)]

    def hold(index: int) -> int:
        started[index].set()
        assert started[-1].wait(WAIT)
        return index

    calls = [pool.submit(hold, index) for index in range(len(started))]
    assert [call.result(WAIT) for call in calls] == list(range(6))
    assert pool.threads == 6


def test_no_more_threads_than_the_most_allowed(
    pools: Callable[..., ElasticThreadPool],
) -> None:
    pool = pools(3, core=1, stall=0.01)
    release = threading.Event()
    running = threading.Semaphore(0)

    def hold() -> None:
        running.release()
        release.wait(WAIT)

    calls = [pool.submit(hold) for _ in range(6)]
    for _ in range(3):
        assert running.acquire(timeout=WAIT)
    time.sleep(0.2)  # many stall periods: still three
    assert not running.acquire(blocking=False)
    assert pool.threads == 3
    release.set()
    futures.wait(calls, timeout=WAIT)
    assert all(call.done() for call in calls)


def test_threads_added_leave_once_idle(pools: Callable[..., ElasticThreadPool]) -> None:
    pool = pools(8, core=1, stall=0.01, idle=0.05)
    release = threading.Event()
    calls = [pool.submit(release.wait, WAIT) for _ in range(4)]
    deadline = time.monotonic() + WAIT
    while pool.threads < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pool.threads == 4
    release.set()
    futures.wait(calls, timeout=WAIT)
    while pool.threads > 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pool.threads == 1
    assert pool.submit(lambda: "still serving").result(WAIT) == "still serving"


def test_shutdown_waits_for_running_calls_and_refuses_new_ones(
    pools: Callable[..., ElasticThreadPool],
) -> None:
    pool = pools(2, core=1, stall=10.0)
    entered = threading.Event()
    finished: list[str] = []

    def slow() -> None:
        entered.set()
        time.sleep(0.1)
        finished.append("slow")

    running = pool.submit(slow)
    assert entered.wait(WAIT)
    queued = pool.submit(finished.append, "queued")
    pool.shutdown(wait=True, cancel_futures=True)
    assert running.done() and finished == ["slow"]
    assert queued.cancelled()
    assert pool.threads == 0
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit(print)


def test_a_pool_needs_a_thread() -> None:
    with pytest.raises(ValueError, match="at least one thread"):
        ElasticThreadPool(0)


def test_settings_that_cannot_work_are_refused() -> None:
    refused: list[dict[str, Any]] = [
        {"stall": 0.0},
        {"idle": -1.0},
        {"waiting_cpu": 0.0},
        {"waiting_pool_cpu": 0.0},
        {"core": 0},
    ]
    for options in refused:
        with pytest.raises(ValueError):
            ElasticThreadPool(4, **options)


def test_a_thread_the_system_refuses_is_not_counted(
    pools: Callable[..., ElasticThreadPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = pools(8, core=2, stall=0.01)
    assert pool.submit(lambda: 1).result(WAIT) == 1  # one thread runs
    refused = threading.Thread.start

    def refuse(thread: threading.Thread) -> None:
        if thread.name.startswith("silo-rpc_"):
            raise RuntimeError("can't start new thread")
        refused(thread)

    monkeypatch.setattr(threading.Thread, "start", refuse)
    assert pool.submit(lambda: 2).result(WAIT) == 2  # the second core thread was refused
    assert pool.threads == 1
    monkeypatch.undo()
    # Counted right, the pool still grows once its one thread waits.
    release = threading.Event()
    calls = [pool.submit(release.wait, WAIT) for _ in range(3)]
    deadline = time.monotonic() + WAIT
    while pool.threads < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pool.threads >= 3
    release.set()
    futures.wait(calls, timeout=WAIT)
    pool.shutdown(wait=True)
    assert pool.threads == 0


@pytest.fixture
def computing_elsewhere() -> Iterator[None]:
    """Another thread of the process (a drainer, say) keeps a core busy meanwhile."""
    stop = threading.Event()

    def compute_until_stopped() -> None:
        while not stop.is_set():
            _compute(0.01)

    busy = threading.Thread(target=compute_until_stopped)
    busy.start()
    yield
    stop.set()
    busy.join()


@pytest.mark.usefixtures("computing_elsewhere")
def test_held_calls_get_threads_though_the_process_computes_elsewhere(
    pools: Callable[..., ElasticThreadPool],
) -> None:
    # The pool's own threads are all held, and the queued call needs one more.
    pool = pools(8, core=2, stall=0.01)
    release = threading.Event()
    try:
        held = [pool.submit(release.wait, WAIT) for _ in range(2)]
        assert pool.submit(lambda: "served").result(WAIT) == "served"
        release.set()
        futures.wait(held, timeout=WAIT)
    finally:
        release.set()


@pytest.mark.usefixtures("computing_elsewhere")
def test_calls_that_wait_get_threads_though_the_process_computes_elsewhere(
    pools: Callable[..., ElasticThreadPool],
) -> None:
    # The pool's own threads only wait. Every window sees calls finish, so only what the
    # threads used tells that they wait.
    pool = pools(16, core=2, stall=0.05)
    _serve_waiting_calls(pool, rounds=5)
    assert pool.threads >= 6


def test_shutdown_waits_for_the_watcher_too(pools: Callable[..., ElasticThreadPool]) -> None:
    pool = pools(4, core=1, stall=0.01, thread_name_prefix="watched-pool")
    release = threading.Event()
    calls = [pool.submit(release.wait, WAIT) for _ in range(3)]  # wakes the watcher

    def names() -> set[str]:
        return {thread.name for thread in threading.enumerate()}

    deadline = time.monotonic() + WAIT
    while "watched-pool-watch" not in names() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "watched-pool-watch" in names()
    release.set()
    futures.wait(calls, timeout=WAIT)
    pool.shutdown(wait=True)
    assert not {name for name in names() if name.startswith("watched-pool")}


def test_a_stopped_server_lets_its_threads_go() -> None:
    from shared.rpc.server import create_server  # noqa: PLC0415 - a server only here

    running = create_server("127.0.0.1:0", [], secrets=[])
    pool = running.calls
    pool.submit(lambda: None).result(WAIT)
    assert pool.threads == 1
    running.stop(0)
    deadline = time.monotonic() + WAIT
    while pool.threads and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pool.threads == 0


def test_a_thread_without_a_cpu_clock_still_serves(
    pools: Callable[..., ElasticThreadPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_clock(_ident: int) -> int:
        raise OSError("no CPU clock for this thread")

    monkeypatch.setattr(time, "pthread_getcpuclockid", no_clock)
    pool = pools(4, core=1, stall=0.01)
    release = threading.Event()
    held = pool.submit(release.wait, WAIT)
    # Counted as using no CPU, its thread looks held up: the queued call gets another.
    assert pool.submit(lambda: "served").result(WAIT) == "served"
    release.set()
    assert held.result(WAIT)
    pool.shutdown(wait=True)
    assert pool.threads == 0
