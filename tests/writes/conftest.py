"""Units of work on the control database and a region database, with outboxes nobody drains."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, MetaData, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from control_silo.bootstrap import ControlSilo
from control_silo.db.base import ControlBase
from control_silo.db.models import ControlOutboxRow
from region_silo.db.base import RegionBase
from region_silo.db.models import RegionOutboxRow
from region_silo.migrations import REGION_MIGRATIONS
from shared.db.engine import make_engine
from shared.db.unit_of_work import UnitOfWork
from shared.outbox.writer import OutboxWriter
from tests.databases import scratch_database

NewUnitOfWork = Callable[[], UnitOfWork]
Counts = Callable[[], dict[str, int]]


def _counter(engine: Engine, metadata: MetaData) -> Counts:
    def count() -> dict[str, int]:
        # A connection of its own: it sees only what other transactions committed.
        with engine.connect() as connection:
            return {
                table.name: connection.scalar(select(func.count()).select_from(table)) or 0
                for table in metadata.sorted_tables
            }

    return count


@pytest.fixture
def control_uow(control_silo: ControlSilo) -> NewUnitOfWork:
    """Opens write units of work on the control database."""
    outbox = OutboxWriter(ControlOutboxRow, per_region=True)
    return lambda: UnitOfWork(control_silo.sessions, outbox=outbox)


@pytest.fixture
def control_counts(control_silo: ControlSilo) -> Counts:
    """Committed row counts of every control table."""
    return _counter(control_silo.engine, ControlBase.metadata)


@pytest.fixture(scope="session")
def region_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A region database migrated to head, for these tests alone."""
    with scratch_database(tmp_path_factory.mktemp("region-writes-db"), "region_writes") as url:
        REGION_MIGRATIONS.upgrade(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def region_sessions(region_engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions on the region database; every row a test writes is removed after it."""
    yield sessionmaker(region_engine, expire_on_commit=False)
    with region_engine.begin() as connection:
        for table in reversed(RegionBase.metadata.sorted_tables):
            connection.execute(delete(table))


@pytest.fixture
def region_uow(region_sessions: sessionmaker[Session]) -> NewUnitOfWork:
    """Opens write units of work on the region database."""
    outbox = OutboxWriter(RegionOutboxRow, per_region=False)
    return lambda: UnitOfWork(region_sessions, outbox=outbox)


@pytest.fixture
def region_counts(region_engine: Engine, region_sessions: sessionmaker[Session]) -> Counts:
    """Committed row counts of every region table."""
    return _counter(region_engine, RegionBase.metadata)
