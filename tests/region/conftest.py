"""A region silo (`us`) in process, talking gRPC to the in-process control silo."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import delete, func, select

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import ControlOutboxRow
from control_silo.outbox.delivery import RegionDelivery
from region_silo.bootstrap import RegionSilo, build_region_silo
from region_silo.db.base import RegionBase
from region_silo.migrations import REGION_MIGRATIONS
from shared.config import Settings
from shared.outbox.drainer import OutboxDrainer
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer
from shared.services.organization.service import OrganizationService
from shared.services.region_directory import RegionDirectory
from shared.services.registry import remote
from shared.services.user.model import NewUser, User
from shared.services.user.service import UserService
from shared.silo_mode import SiloMode
from tests.conftest import TEST_SECRET
from tests.databases import scratch_database

REGION = "us"


@pytest.fixture(scope="session")
def region_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(tmp_path_factory.mktemp("region-db"), "region") as url:
        REGION_MIGRATIONS.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def region_silo_session(
    region_database_url: str, control_server: RunningServer
) -> Iterator[RegionSilo]:
    region = build_region_silo(
        Settings(
            mode=SiloMode.REGION,
            region_name=REGION,
            database_url=region_database_url,
            control_address=f"127.0.0.1:{control_server.port}",
            rpc_shared_secrets=(TEST_SECRET,),
        )
    )
    yield region
    region.close()


@pytest.fixture(scope="session")
def region_server(region_silo_session: RegionSilo) -> Iterator[RunningServer]:
    running = region_silo_session.start_server("127.0.0.1:0")
    yield running
    running.stop(0)


def _delete_region_rows(region: RegionSilo) -> None:
    with region.engine.begin() as connection:
        for table in reversed(RegionBase.metadata.sorted_tables):
            connection.execute(delete(table))


@pytest.fixture
def region_silo(
    region_silo_session: RegionSilo, region_server: RunningServer, control_silo: ControlSilo
) -> Iterator[RegionSilo]:
    """The region with an empty database (the control database is emptied by its fixture),
    known to the control silo at its address for the test."""
    control_silo.regions.add(REGION, f"127.0.0.1:{region_server.port}")
    try:
        yield region_silo_session
    finally:
        control_silo.regions.discard(REGION)
    region_silo_session.drainer.drain_due()
    _delete_region_rows(region_silo_session)
    # User ids restart with the emptied control database; cached users of this test must go.
    region_silo_session.cache.drop_local_values()


@pytest.fixture(params=["local", "remote"])
def organization_service(
    request: pytest.FixtureRequest, region_silo: RegionSilo, region_server: RunningServer
) -> OrganizationService:
    """The region's organization service, in process and through its gRPC server."""
    if request.param == "local":
        return region_silo.services.get(OrganizationService)
    channel = open_channel(f"127.0.0.1:{region_server.port}", secret=TEST_SECRET)
    return remote(OrganizationService, channel)


@pytest.fixture
def make_control_user(control_silo: ControlSilo) -> Callable[..., User]:
    def make(username: str, **fields: object) -> User:
        return control_silo.services.get(UserService).create_user(
            user=NewUser(username=username, email=f"{username}@example.com", **fields)  # type: ignore[arg-type]
        )

    return make


Counts = Callable[[], dict[str, int]]


@pytest.fixture
def both_row_counts(control_silo: ControlSilo, region_silo: RegionSilo) -> Counts:
    """Row counts of every table on both sides, to show a rejected call wrote nothing."""
    from control_silo.db.base import ControlBase  # noqa: PLC0415

    def count() -> dict[str, int]:
        counts: dict[str, int] = {}
        for prefix, engine, metadata in [
            ("control", control_silo.engine, ControlBase.metadata),
            ("region", region_silo.engine, RegionBase.metadata),
        ]:
            with engine.connect() as connection:
                for table in metadata.sorted_tables:
                    counts[f"{prefix}.{table.name}"] = (
                        connection.scalar(select(func.count()).select_from(table)) or 0
                    )
        return counts

    return count


@pytest.fixture
def directory(region_server: RunningServer) -> Iterator[RegionDirectory]:
    regions = RegionDirectory(
        {REGION: f"127.0.0.1:{region_server.port}"},
        lambda address: open_channel(address, secret=TEST_SECRET),
    )
    yield regions
    regions.close()


@pytest.fixture
def control_drainer(control_silo: ControlSilo, directory: RegionDirectory) -> OutboxDrainer:
    return OutboxDrainer(
        control_silo.sessions,
        ControlOutboxRow,
        RegionDelivery(control_silo.sessions, directory, control_silo.outbox),
        per_region=True,
    )
