"""Timing helpers: sequential latency percentiles and concurrent throughput."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Latency:
    """Latency percentiles of sequential calls, in microseconds."""

    p50_us: float
    p99_us: float


def sequential_latency(call: Callable[[], object], *, calls: int, warmup: int = 200) -> Latency:
    """Times ``calls`` back-to-back calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - started) / 1000)
    cuts = statistics.quantiles(samples, n=100)
    return Latency(p50_us=statistics.median(samples), p99_us=cuts[98])


def throughput(call: Callable[[], object], *, callers: int, calls_each: int) -> float:
    """Calls per second with ``callers`` threads each making ``calls_each`` calls."""
    barrier = threading.Barrier(callers + 1)
    failures: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            for _ in range(calls_each):
                call()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(callers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise failures[0]
    return callers * calls_each / elapsed
