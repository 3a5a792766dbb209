"""The RPC duration histogram exports what prometheus_client's own histogram would."""

from __future__ import annotations

import threading

from prometheus_client import CollectorRegistry, Histogram

from shared.metrics import new_metrics
from shared.rpc.thread_pool import ElasticThreadPool

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
OBSERVED = [
    ("/s.v1.S/Get", "OK", 0.0004),
    ("/s.v1.S/Get", "OK", 0.001),
    ("/s.v1.S/Get", "OK", 0.0011),
    ("/s.v1.S/Get", "NOT_FOUND", 0.3),
    ("/s.v1.S/Put", "OK", 7.0),
    ("/s.v1.S/Put", "OK", 2.5),
]


def samples(registry: CollectorRegistry) -> set[tuple[str, tuple[tuple[str, str], ...], float]]:
    return {
        (sample.name, tuple(sorted(sample.labels.items())), round(sample.value, 9))
        for family in registry.collect()
        if family.name == "silo_rpc_duration_seconds"
        for sample in family.samples
        if not sample.name.endswith("_created")
    }


def test_the_histogram_matches_prometheus_clients() -> None:
    metrics = new_metrics()
    reference = CollectorRegistry()
    histogram = Histogram(
        "silo_rpc_duration_seconds",
        "Served RPCs by method and status code",
        ["method", "code"],
        buckets=BUCKETS,
        registry=reference,
    )
    for method, code, seconds in OBSERVED:
        metrics.observe_rpc(method, code, seconds)
        histogram.labels(method=method, code=code).observe(seconds)
    assert samples(metrics.registry) == samples(reference)


def test_concurrent_observations_are_all_counted() -> None:
    metrics = new_metrics()

    def observe() -> None:
        for _ in range(5000):
            metrics.observe_rpc("/s.v1.S/Get", "OK", 0.002)

    threads = [threading.Thread(target=observe) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = [
        sample.value
        for family in metrics.registry.collect()
        for sample in family.samples
        if sample.name == "silo_rpc_duration_seconds_count"
    ]
    assert counts == [40000]


def test_the_call_pool_gauges_read_the_pool_when_scraped() -> None:
    metrics = new_metrics()
    pool = ElasticThreadPool(2, core=1, stall=10.0)
    release = threading.Event()
    running = threading.Event()

    def hold() -> None:
        running.set()
        release.wait(10)

    try:
        held = pool.submit(hold)
        assert running.wait(10)
        queued = [pool.submit(release.wait, 10) for _ in range(2)]
        metrics.watch_call_pool(pool.load)
        gauges = {
            (sample.name, sample.labels.get("state", "")): sample.value
            for family in metrics.registry.collect()
            if family.name.startswith(("silo_rpc_threads", "silo_rpc_queued"))
            for sample in family.samples
        }
        assert gauges == {
            ("silo_rpc_threads", "busy"): 1.0,
            ("silo_rpc_threads", "idle"): 0.0,
            ("silo_rpc_queued_calls", ""): 2.0,
        }
    finally:
        release.set()
        held.result(10)
        for call in queued:
            call.result(10)
        pool.shutdown(wait=True)
