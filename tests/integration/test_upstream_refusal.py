"""A region whose own call to the control silo is refused (the two hold different secrets)
answers its caller INTERNAL, saying so, rather than UNAUTHENTICATED: the caller's signature was
fine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from control_silo.bootstrap import ControlSilo
from region_silo.bootstrap import RegionSilo, build_region_silo
from region_silo.migrations import REGION_MIGRATIONS
from shared import errors
from shared.config import Settings
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer
from shared.services.organization.service import OrganizationService
from shared.services.registry import remote
from shared.services.user.model import NewUser
from shared.services.user.service import UserService
from shared.silo_mode import SiloMode
from tests.databases import scratch_database

REGION_SECRET = "a-secret-the-control-silo-does-not-hold"


@pytest.fixture
def mismatched_region(tmp_path: Path, control_server: RunningServer) -> Iterator[RegionSilo]:
    with scratch_database(tmp_path, "mismatched_region") as url:
        REGION_MIGRATIONS.upgrade(url)
        region = build_region_silo(
            Settings(
                mode=SiloMode.REGION,
                region_name="us",
                database_url=url,
                control_address=f"127.0.0.1:{control_server.port}",
                rpc_shared_secrets=(REGION_SECRET,),
            )
        )
        try:
            yield region
        finally:
            region.close()


def test_an_upstream_refusal_is_internal_not_unauthenticated(
    control_silo: ControlSilo, mismatched_region: RegionSilo
) -> None:
    owner = control_silo.services.get(UserService).create_user(
        user=NewUser(username="upstream-owner", email="upstream@example.com")
    )
    running = mismatched_region.start_server("127.0.0.1:0")
    try:
        channel = open_channel(f"127.0.0.1:{running.port}", secret=REGION_SECRET)
        organizations = remote(OrganizationService, channel)
        with pytest.raises(errors.SiloError) as raised:
            organizations.create_organization(
                slug="upstream-refused", name="Refused", owner_user_id=owner.id
            )
        channel.close()
    finally:
        running.stop(0)
    error = raised.value
    assert isinstance(error, errors.InternalError), error
    assert "refused its request signature" in error.message
