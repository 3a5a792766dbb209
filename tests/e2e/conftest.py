"""A cluster of separate processes: the control silo and regions `us` and `de`, signed, on real
loopback ports, each with its own database (SQLite files, or PostgreSQL databases)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, func, select

import control_silo.db.models  # noqa: F401 - registers the control tables
import region_silo.db.models  # noqa: F401 - registers the region tables
from control_silo.db.base import ControlBase
from region_silo.db.base import RegionBase
from shared.db.engine import make_engine
from shared.rpc.channel import open_channel
from shared.services.organization.service import OrganizationService
from shared.services.registry import remote
from shared.services.user.service import UserService
from tests.databases import scratch_database
from tests.integration.processes import (
    ServerProcess,
    control_process,
    free_port,
    region_process,
    run_silo,
)

SECRET = "e2e-secret"
REGIONS = ("us", "de")


@dataclass
class Cluster:
    """Addresses, databases and clients of the running silos."""

    work: Path
    control_url: str
    region_urls: dict[str, str]
    region_addresses: dict[str, str]
    control_listen: str
    control: ServerProcess | None = None
    regions: dict[str, ServerProcess] = field(default_factory=dict)
    stack: ExitStack = field(default_factory=ExitStack)

    @property
    def control_address(self) -> str:
        assert self.control is not None
        return self.control.address

    def users(self) -> UserService:
        return remote(UserService, open_channel(self.control_address, secret=SECRET))

    def organizations(self, region: str) -> OrganizationService:
        channel = open_channel(self.region_addresses[region], secret=SECRET)
        return remote(OrganizationService, channel)

    def start_control(self, stack: ExitStack) -> ServerProcess:
        directory = [
            argument
            for name, address in self.region_addresses.items()
            for argument in ("--region", f"{name}={address}")
        ]
        self.control = stack.enter_context(
            control_process(
                self.control_url,
                self.work,
                SECRET,
                "--listen",
                self.control_listen,
                *directory,
            )
        )
        return self.control

    def start_region(self, name: str, stack: ExitStack) -> ServerProcess:
        self.regions[name] = stack.enter_context(
            region_process(
                name,
                self.region_urls[name],
                self.control_listen,
                self.work,
                SECRET,
                listen=self.region_addresses[name],
            )
        )
        return self.regions[name]

    def counts(self) -> dict[str, int]:
        """Rows per table in every silo's database."""
        counts: dict[str, int] = {}
        databases: list[tuple[str, str, MetaData]] = [
            ("control", self.control_url, ControlBase.metadata)
        ]
        databases += [(name, url, RegionBase.metadata) for name, url in self.region_urls.items()]
        for label, url, metadata in databases:
            engine = make_engine(url)
            try:
                counts.update(_table_counts(engine, metadata, label))
            finally:
                engine.dispose()
        return counts


def _table_counts(engine: Engine, metadata: MetaData, label: str) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            f"{label}.{table.name}": connection.scalar(select(func.count()).select_from(table)) or 0
            for table in metadata.sorted_tables
        }


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Polls ``condition`` until it holds; fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    work = tmp_path_factory.mktemp("cluster")
    with ExitStack() as databases:
        control_url = databases.enter_context(scratch_database(work, "e2e_control"))
        region_urls = {
            name: databases.enter_context(scratch_database(work, f"e2e_{name}")) for name in REGIONS
        }
        for silo, url, extra in [("control", control_url, [])] + [
            ("region", url, ["--name", name]) for name, url in region_urls.items()
        ]:
            result = run_silo("upgrade", "--silo", silo, "--database-url", url, *extra)
            assert result.returncode == 0, result.stderr
        cluster = Cluster(
            work=work,
            control_url=control_url,
            region_urls=region_urls,
            region_addresses={name: f"127.0.0.1:{free_port()}" for name in REGIONS},
            control_listen=f"127.0.0.1:{free_port()}",
        )
        with ExitStack() as processes:
            cluster.stack = processes
            cluster.start_control(processes)
            for name in REGIONS:
                cluster.start_region(name, processes)
            yield cluster
