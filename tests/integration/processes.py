"""Starts `silo` server processes on real ports and waits until they serve."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

SERVING_LINE = re.compile(r"serving on ([\d.]+):(\d+)")


@dataclass
class ServerProcess:
    """A running `silo serve` process and the file its stderr goes to."""

    process: subprocess.Popen[bytes]
    log_path: Path
    port: int

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def metrics(self) -> str:
        """The text of the process's Prometheus endpoint (it must serve one)."""
        match = re.search(r"metrics on ([\d.]+):(\d+)", self.log())
        assert match, "the process serves no metrics"
        with urllib.request.urlopen(f"http://{match.group(1)}:{match.group(2)}/metrics") as reply:
            return str(reply.read().decode())

    def log(self) -> str:
        return self.log_path.read_text()

    def terminate(self, timeout: float = 30) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


def stop_process(process: subprocess.Popen[Any], timeout: float = 20) -> None:
    """Asks ``process`` to stop (SIGTERM) and waits; kills it if it still runs after
    ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def silo_command(*arguments: str) -> list[str]:
    """The argv that runs the `silo` command with this interpreter."""
    return [sys.executable, "-m", "shared", *arguments]


def run_silo(
    *arguments: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs a `silo` command to completion."""
    return subprocess.run(
        silo_command(*arguments),
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def wait_serving(address: str, timeout: float = 20) -> None:
    """Blocks until the health service at ``address`` reports SERVING."""
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            try:
                status = stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status
                if status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{address} did not become healthy")
            time.sleep(0.05)


@contextmanager
def serve_process(
    arguments: list[str], log_dir: Path, secrets: str | None
) -> Iterator[ServerProcess]:
    """Runs `silo serve ...` until the block ends, waiting until it reports SERVING."""
    log_path = log_dir / f"{arguments[0]}-{time.monotonic_ns()}.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("SILO_")}
    if secrets is not None:
        env["SILO_RPC_SHARED_SECRETS"] = secrets
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            silo_command("serve", *arguments), stdout=log_file, stderr=log_file, env=env
        )
    try:
        port = _wait_for_port(process, log_path)
        wait_serving(f"127.0.0.1:{port}")
        yield ServerProcess(process, log_path, port)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def control_process(
    database_url: str, log_dir: Path, secrets: str | None, *extra: str
) -> AbstractContextManager[ServerProcess]:
    """Runs `silo serve control` on a free loopback port (unless ``extra`` names one)."""
    listen = [] if "--listen" in extra else ["--listen", "127.0.0.1:0"]
    metrics = ["--metrics-listen", "127.0.0.1:0"]
    return serve_process(
        ["control", "--database-url", database_url, *metrics, *listen, *extra], log_dir, secrets
    )


def region_process(
    name: str,
    database_url: str,
    control_address: str,
    log_dir: Path,
    secrets: str | None,
    listen: str = "127.0.0.1:0",
) -> AbstractContextManager[ServerProcess]:
    """Runs `silo serve region --name NAME` against a control silo."""
    return serve_process(
        [
            "region",
            "--name",
            name,
            "--database-url",
            database_url,
            "--control",
            control_address,
            "--listen",
            listen,
            "--metrics-listen",
            "127.0.0.1:0",
        ],
        log_dir,
        secrets,
    )


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(process: subprocess.Popen[bytes], log_path: Path, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = SERVING_LINE.search(log_path.read_text())
        if match:
            return int(match.group(2))
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log_path.read_text()}")
        time.sleep(0.05)
    raise TimeoutError(f"server did not report its port:\n{log_path.read_text()}")
