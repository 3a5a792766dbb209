"""Fixtures shared by every test tier: a migrated control database and a control silo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from control_silo.bootstrap import ControlSilo, build_control_silo
from control_silo.db.base import ControlBase
from control_silo.migrations import CONTROL_MIGRATIONS
from shared.config import Settings
from shared.rpc.server import RunningServer
from shared.silo_mode import SiloMode
from tests.databases import scratch_database

TEST_SECRET = "test-shared-secret"
# Hashing at full strength would dominate the suite's run time; the format is the same.
TEST_PASSWORD_ITERATIONS = 1000


@pytest.fixture(scope="session")
def control_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A control database migrated to head, for the whole session."""
    with scratch_database(tmp_path_factory.mktemp("control-db"), "control") as url:
        CONTROL_MIGRATIONS.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def control_settings(control_database_url: str) -> Settings:
    """Settings of the in-process control silo."""
    return Settings(
        mode=SiloMode.CONTROL,
        database_url=control_database_url,
        rpc_shared_secrets=(TEST_SECRET,),
        password_iterations=TEST_PASSWORD_ITERATIONS,
    )


@pytest.fixture(scope="session")
def control_silo_session(control_settings: Settings) -> Iterator[ControlSilo]:
    control = build_control_silo(control_settings)
    yield control
    control.close()


@pytest.fixture(scope="session")
def control_seed_rows(control_silo_session: ControlSilo) -> dict[str, list[dict[str, object]]]:
    """The rows the migrations themselves write (the "Super Admin" role), to restore after tests."""
    with control_silo_session.engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(table.select())]
            for table in ControlBase.metadata.sorted_tables
        }


def _reset_rows(control: ControlSilo, seed: dict[str, list[dict[str, object]]]) -> None:
    with control.engine.begin() as connection:
        for table in reversed(ControlBase.metadata.sorted_tables):
            connection.execute(delete(table))
        for table in ControlBase.metadata.sorted_tables:
            if seed.get(table.name):
                connection.execute(table.insert(), seed[table.name])


@pytest.fixture
def control_silo(
    control_silo_session: ControlSilo, control_seed_rows: dict[str, list[dict[str, object]]]
) -> Iterator[ControlSilo]:
    """The control silo as migrated; every row a test writes is removed after it."""
    yield control_silo_session
    _reset_rows(control_silo_session, control_seed_rows)


@pytest.fixture(scope="session")
def control_server(control_silo_session: ControlSilo) -> Iterator[RunningServer]:
    """The in-process control silo served on a free loopback port, signed."""
    running = control_silo_session.start_server("127.0.0.1:0")
    yield running
    running.stop(0)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
