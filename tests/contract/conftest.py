"""The contract suite runs every test twice: against the local implementation and against the
gRPC client talking to a real in-process server on a real port."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from control_silo.bootstrap import ControlSilo
from control_silo.db.base import ControlBase
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer
from shared.services.auth.service import AuthService
from shared.services.directory import ServiceDirectory
from shared.services.user.model import NewUser, User
from shared.services.user.service import UserService
from shared.services.user_option.service import UserOptionService
from shared.silo_mode import SiloMode
from tests.conftest import TEST_SECRET


@pytest.fixture(scope="session")
def remote_services(control_server: RunningServer) -> ServiceDirectory:
    """Handles as a region silo has them: gRPC clients, signed, to the control server."""
    address = f"127.0.0.1:{control_server.port}"
    return ServiceDirectory(
        SiloMode.REGION, control_channel=lambda: open_channel(address, secret=TEST_SECRET)
    )


@pytest.fixture(params=["local", "remote"])
def services(
    request: pytest.FixtureRequest, control_silo: ControlSilo, remote_services: ServiceDirectory
) -> ServiceDirectory:
    if request.param == "local":
        return control_silo.services
    return remote_services


@pytest.fixture
def user_service(services: ServiceDirectory) -> UserService:
    return services.get(UserService)


@pytest.fixture
def user_option_service(services: ServiceDirectory) -> UserOptionService:
    return services.get(UserOptionService)


@pytest.fixture
def auth_service(services: ServiceDirectory) -> AuthService:
    return services.get(AuthService)


RowCounts = Callable[[], dict[str, int]]


@pytest.fixture
def row_counts(control_silo: ControlSilo) -> RowCounts:
    """Counts the rows of every control table, to show a rejected call wrote nothing."""

    def count() -> dict[str, int]:
        with control_silo.engine.connect() as connection:
            return {
                table.name: connection.scalar(select(func.count()).select_from(table)) or 0
                for table in ControlBase.metadata.sorted_tables
            }

    return count


MakeUser = Callable[..., User]


@pytest.fixture
def make_user(user_service: UserService) -> MakeUser:
    """Creates a user through the service under test."""

    def make(username: str, email: str | None = None, **fields: object) -> User:
        return user_service.create_user(
            user=NewUser(username=username, email=email or f"{username}@example.com", **fields)  # type: ignore[arg-type]
        )

    return make
