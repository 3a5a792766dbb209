"""Prometheus metrics of one silo process, served on ``--metrics-listen``."""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from shared.db.types import utcnow
from shared.outbox.status import ShardBacklog, backlog
from shared.rpc.thread_pool import PoolLoad

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _BacklogCollector(Collector):
    """Reads the outbox backlog when scraped, so the gauge is never stale."""

    def __init__(self, read: Callable[[], list[ShardBacklog]]) -> None:
        self._read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        rows = GaugeMetricFamily(
            "silo_outbox_backlog_rows", "Outbox rows waiting, per destination", labels=["region"]
        )
        oldest = GaugeMetricFamily(
            "silo_outbox_oldest_age_seconds",
            "Age of the oldest waiting outbox row, per destination",
            labels=["region"],
        )
        per_region: dict[str, tuple[int, float]] = {}
        for shard in self._read():
            count, age = per_region.get(shard.region_name, (0, 0.0))
            per_region[shard.region_name] = (
                count + shard.rows,
                max(age, shard.oldest_age_seconds),
            )
        for region, (count, age) in sorted(per_region.items()):
            rows.add_metric([region or "control"], count)
            oldest.add_metric([region or "control"], age)
        yield rows
        yield oldest


class _Series:
    """One labelled series of a histogram: its bucket counts (not cumulative), sum and count."""

    __slots__ = ("buckets", "count", "lock", "total")

    def __init__(self, size: int) -> None:
        self.buckets = [0] * size
        self.count = 0
        self.total = 0.0
        self.lock = threading.Lock()


class RpcDurations(Collector):
    """``silo_rpc_duration_seconds``: served RPCs by method and status code, as a histogram.

    Observing is one dictionary lookup, one bisection and three additions under the series'
    lock, since it runs on every call; the exposition is built when scraped.
    """

    name = "silo_rpc_duration_seconds"
    documentation = "Served RPCs by method and status code"

    def __init__(self, buckets: Sequence[float]) -> None:
        self._bounds = tuple(buckets)
        self._series: dict[tuple[str, str], _Series] = {}
        self._lock = threading.Lock()

    def observe(self, method: str, code: str, seconds: float) -> None:
        """Records one served RPC."""
        series = self._series.get((method, code))
        if series is None:
            with self._lock:
                series = self._series.setdefault((method, code), _Series(len(self._bounds) + 1))
        # Prometheus buckets hold values less than or equal to their bound.
        index = bisect_left(self._bounds, seconds)
        with series.lock:
            series.buckets[index] += 1
            series.count += 1
            series.total += seconds

    def collect(self) -> Iterator[HistogramMetricFamily]:
        family = HistogramMetricFamily(self.name, self.documentation, labels=["method", "code"])
        bounds = [*(str(float(bound)) for bound in self._bounds), "+Inf"]
        with self._lock:
            series = sorted(self._series.items())
        for (method, code), one in series:
            with one.lock:
                counts, total = list(one.buckets), one.total
            cumulative: list[tuple[str, float]] = []
            running = 0
            for bound, count in zip(bounds, counts, strict=True):
                running += count
                cumulative.append((bound, running))
            family.add_metric([method, code], cumulative, total)
        yield family


class _CallPoolCollector(Collector):
    """Reads the server's call pool when scraped (``shared.rpc.thread_pool``)."""

    def __init__(self) -> None:
        self.read: Callable[[], PoolLoad] | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self.read is None:
            return
        load = self.read()
        threads = GaugeMetricFamily(
            "silo_rpc_threads", "Threads of the server's call pool", labels=["state"]
        )
        threads.add_metric(["busy"], load.busy)
        threads.add_metric(["idle"], max(load.threads - load.busy, 0))
        yield threads
        yield GaugeMetricFamily(
            "silo_rpc_queued_calls", "Calls waiting for a thread of the call pool", load.queued
        )


@dataclass
class Metrics:
    """The metrics every silo exports; each process owns one registry."""

    registry: CollectorRegistry
    rpc_duration: RpcDurations
    cache_hits: Counter
    cache_misses: Counter
    delivery_lag: Histogram
    _call_pool: _CallPoolCollector | None = None

    def observe_rpc(self, method: str, code: str, seconds: float) -> None:
        """Records one served RPC."""
        self.rpc_duration.observe(method, code, seconds)

    def observe_delivery(self, category: str, lag_seconds: float) -> None:
        """Records one delivered outbox message and how long after its commit it arrived."""
        self.delivery_lag.labels(category=category).observe(lag_seconds)

    def watch_call_pool(self, read: Callable[[], PoolLoad]) -> None:
        """Exports the threads and queued calls of the server's call pool, read at scrape time
        (the pool of the server started last)."""
        if self._call_pool is None:
            self._call_pool = _CallPoolCollector()
            self.registry.register(self._call_pool)
        self._call_pool.read = read

    def watch_backlog(self, read: Callable[[], list[ShardBacklog]]) -> None:
        """Exports the outbox backlog, read at scrape time."""
        self.registry.register(_BacklogCollector(read))

    def serve(self, listen: str) -> int:
        """Serves ``/metrics`` on ``HOST:PORT`` (port 0 picks one); returns the port."""
        host, _, port = listen.rpartition(":")
        server, _thread = start_http_server(
            int(port), addr=host or "127.0.0.1", registry=self.registry
        )
        return int(server.server_port)


def backlog_reader(
    sessions: sessionmaker[Session], model: type[Any], *, per_region: bool
) -> Callable[[], list[ShardBacklog]]:
    """Reads an outbox table's backlog, for ``Metrics.watch_backlog``."""

    def read() -> list[ShardBacklog]:
        with sessions() as session:
            return backlog(session, model, per_region=per_region, now=utcnow())

    return read


def new_metrics() -> Metrics:
    """A fresh registry with every metric defined."""
    registry = CollectorRegistry()
    rpc_duration = RpcDurations(_LATENCY_BUCKETS)
    registry.register(rpc_duration)
    return Metrics(
        registry=registry,
        rpc_duration=rpc_duration,
        cache_hits=Counter(
            "silo_region_cache_hits", "Region cache reads served from the cache", registry=registry
        ),
        cache_misses=Counter(
            "silo_region_cache_misses",
            "Region cache reads that went to the control silo",
            registry=registry,
        ),
        delivery_lag=Histogram(
            "silo_outbox_delivery_lag_seconds",
            "Time from an outbox row's commit to its delivery",
            ["category"],
            buckets=(*_LATENCY_BUCKETS, 10.0, 30.0, 60.0, 300.0),
            registry=registry,
        ),
    )
