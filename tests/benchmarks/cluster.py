"""A control silo and region `us` as separate processes on SQLite files, for benchmarks."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.integration.processes import control_process, free_port, region_process, run_silo

SECRET = "benchmark-secret"


@dataclass(frozen=True)
class BenchCluster:
    """Where the running silos listen and keep their data."""

    control_address: str
    control_url: str
    region_address: str
    region_url: str
    control: subprocess.Popen[bytes]  # to read its memory and see whether it still runs


@contextmanager
def control_and_region(work: Path, control_url: str | None = None) -> Iterator[BenchCluster]:
    """Migrates both databases under ``work`` (or uses the migrated ``control_url``) and runs
    both silos, signed, until the block ends."""
    migrate = control_url is None
    control_url = control_url or f"sqlite:///{work / 'control.sqlite3'}"
    region_url = f"sqlite:///{work / 'region-us.sqlite3'}"
    for silo, url in [("control", control_url), ("region", region_url)]:
        if silo == "control" and not migrate:
            continue
        upgraded = run_silo("upgrade", "--silo", silo, "--database-url", url)
        if upgraded.returncode != 0:
            raise SystemExit(upgraded.stderr)
    region_address = f"127.0.0.1:{free_port()}"
    with (
        control_process(control_url, work, SECRET, "--region", f"us={region_address}") as control,
        region_process("us", region_url, control.address, work, SECRET, listen=region_address),
    ):
        yield BenchCluster(
            control.address, control_url, region_address, region_url, control.process
        )
