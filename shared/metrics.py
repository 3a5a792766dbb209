"""Prometheus metrics of one silo process, served on ``--metrics-listen``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from shared.db.types import utcnow
from shared.outbox.status import ShardBacklog, backlog

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


@dataclass
class Metrics:
    """The metrics every silo exports; each process owns one registry."""

    registry: CollectorRegistry
    rpc_duration: Histogram
    cache_hits: Counter
    cache_misses: Counter
    delivery_lag: Histogram
    _rpc_series: dict[tuple[str, str], Histogram] = field(default_factory=dict)

    def observe_rpc(self, method: str, code: str, seconds: float) -> None:
        """Records one served RPC (the labelled series is looked up once per method and code)."""
        series = self._rpc_series.get((method, code))
        if series is None:
            series = self._rpc_series.setdefault(
                (method, code), self.rpc_duration.labels(method=method, code=code)
            )
        series.observe(seconds)

    def observe_delivery(self, category: str, lag_seconds: float) -> None:
        """Records one delivered outbox message and how long after its commit it arrived."""
        self.delivery_lag.labels(category=category).observe(lag_seconds)

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
    return Metrics(
        registry=registry,
        rpc_duration=Histogram(
            "silo_rpc_duration_seconds",
            "Served RPCs by method and status code",
            ["method", "code"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        ),
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
