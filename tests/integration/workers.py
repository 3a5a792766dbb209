"""Helpers for tests of several processes serving one silo: `silo serve --workers N`, replicas
sharing a database and Redis, clients spreading calls over many connections."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import redis
from sqlalchemy import func, insert, select

from control_silo.db.models import ControlOutboxRow
from region_silo.db.models import CacheVersionRow
from shared.cache.keys import GET_USER_KEY
from shared.db.engine import make_engine
from shared.outbox.categories import OutboxCategory, OutboxScope
from shared.rpc.channel import DEFAULT_TIMEOUT_SECONDS, CallSigner, SiloChannel
from tests.integration.processes import silo_command, stop_process, wait_serving

SERVING = re.compile(r"serving on ([\d.]+):(\d+)")
WORKER_PIDS = re.compile(r"(\d+) workers, pids ([\d, ]+)")
METRICS = re.compile(r"metrics on ([\d.]+):(\d+)")
GET_USER = "/silo.user.v1.UserService/GetUser"


@dataclass
class Served:
    """A running `silo serve` process (a supervisor with ``--workers``), as its log tells."""

    process: subprocess.Popen[bytes]
    log_path: Path
    port: int
    worker_pids: list[int] = field(default_factory=list)
    metrics_addresses: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text()

    def metrics(self, worker: int = 0) -> str:
        """The Prometheus text of one worker (of the process itself without workers)."""
        url = f"http://{self.metrics_addresses[worker]}/metrics"
        with urllib.request.urlopen(url) as reply:
            return str(reply.read().decode())

    def terminate(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


def redis_test_url(database: int) -> str | None:
    """A Redis URL on database ``database`` of the test Redis server, or None when none answers
    (``SILO_TEST_REDIS_URL`` names the server, else the local default)."""
    base = os.environ.get("SILO_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
    url = re.sub(r"/\d*$", "", base) + f"/{database}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


@contextmanager
def serve(
    arguments: list[str], log_dir: Path, environment: dict[str, str], timeout: float = 120
) -> Iterator[Served]:
    """Runs `silo serve ARGUMENTS` with only ``environment``'s SILO_* variables until the block
    ends, once it reports serving (every worker when it has several) and answers health checks."""
    log_path = log_dir / f"{arguments[0]}-{time.monotonic_ns()}.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("SILO_")}
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            silo_command("serve", *arguments),
            stdout=log_file,
            stderr=log_file,
            env={**env, **environment},
        )
    try:
        served = _wait_served(process, log_path, timeout)
        wait_serving(served.address)
        yield served
    finally:
        if process.poll() is None:
            stop_process(process, timeout=60)


def _wait_served(process: subprocess.Popen[bytes], log_path: Path, timeout: float) -> Served:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log_path.read_text()
        serving = SERVING.search(text)
        if serving:
            workers = WORKER_PIDS.search(text)
            pids = [int(pid) for pid in workers.group(2).split(",")] if workers else []
            metrics = [f"{host}:{port}" for host, port in METRICS.findall(text)]
            return Served(process, log_path, int(serving.group(2)), pids, metrics)
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{text}")
        time.sleep(0.05)
    raise TimeoutError(f"server did not report its port:\n{log_path.read_text()}")


def own_connection(
    target: str,
    secret: str,
    *,
    service_config: Mapping[str, object] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> grpc.Channel:
    """A signed channel with its own connection (gRPC shares one connection per address among a
    process's channels unless each keeps a local subchannel pool)."""
    options: list[tuple[str, object]] = [
        ("grpc.use_local_subchannel_pool", 1),
        ("grpc.initial_reconnect_backoff_ms", 100),
        # Not grpc.min_reconnect_backoff_ms: gRPC also takes it as the time a connection attempt
        # may take, and a loaded machine may need more than a fraction of a second.
        ("grpc.max_reconnect_backoff_ms", 1000),
    ]
    if service_config is not None:
        options += [("grpc.service_config", json.dumps(service_config)), ("grpc.enable_retries", 1)]
    return SiloChannel(
        grpc.insecure_channel(target, options=options),
        grpc.insecure_channel(target, options=options[:3]),
        CallSigner(secret, timeout),
    )


def metric(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"^{re.escape(name)}(?:\{{(.*)\}})? (\S+)$", line)
        if not match:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
        if all(found.get(key) == wanted for key, wanted in labels.items()):
            total += float(match.group(2))
    return total


def served_calls(text: str, method: str) -> float:
    """How many calls of ``method`` a process answered OK, from its metrics text."""
    return metric(text, "silo_rpc_duration_seconds_count", method=method, code="OK")


def delivered(text: str) -> float:
    """How many outbox messages a process delivered, from its metrics text."""
    return metric(text, "silo_outbox_delivery_lag_seconds_count")


def write_cache_invalidations(database_url: str, region: str, user_ids: range) -> None:
    """Writes one outbox message per user (``AUTH_IDENTITY_UPDATE``: the region drops the user's
    cached reads) straight into the control outbox, as another writer of the database would; the
    drainers find them on their sweep."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(ControlOutboxRow),
                [
                    {
                        "region_name": region,
                        "shard_scope": int(OutboxScope.USER_SCOPE),
                        "shard_identifier": user_id,
                        "category": int(OutboxCategory.AUTH_IDENTITY_UPDATE),
                        "object_identifier": user_id,
                        "payload": None,
                    }
                    for user_id in user_ids
                ],
            )
    finally:
        engine.dispose()


def outbox_rows(database_url: str, model: type[Any] = ControlOutboxRow) -> int:
    """Rows waiting in an outbox (the control silo's unless ``model`` names another)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


def invalidations_received(region_database_url: str, user_ids: range) -> dict[int, int]:
    """How often the region dropped each user's cached reads, by user id (each delivered
    invalidation renews the version of the user's GetUser key once)."""
    keys = {GET_USER_KEY.format(user_id): user_id for user_id in user_ids}
    engine = make_engine(region_database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(CacheVersionRow.key, CacheVersionRow.version).where(
                    CacheVersionRow.key.in_(list(keys))
                )
            ).all()
    finally:
        engine.dispose()
    return {keys[key]: int(version) for key, version in rows}
