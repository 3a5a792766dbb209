"""`silo outbox status` and `silo outbox drain` against a region database."""

from __future__ import annotations

from control_silo.bootstrap import ControlSilo
from region_silo.bootstrap import RegionSilo
from shared.rpc.server import RunningServer
from shared.services.organization.service import OrganizationService
from shared.services.user.service import UserService
from tests.conftest import TEST_SECRET
from tests.integration.processes import run_silo
from tests.region.conftest import REGION


def test_status_then_drain_out_of_process(
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    control_server: RunningServer,
    region_database_url: str,
    make_control_user: object,
) -> None:
    owner = make_control_user("owner")  # type: ignore[operator]
    organization = region_silo.services.get(OrganizationService).create_organization(
        slug="queued", name="Queued", owner_user_id=owner.id
    )
    database = ["--database-url", region_database_url]
    status = run_silo("outbox", "status", "--silo", "region", *database)
    assert status.returncode == 0, status.stderr
    assert "ORGANIZATION_SCOPE" in status.stdout
    assert f" {organization.id} " in status.stdout
    assert "1 shards, 2 rows" in status.stdout

    drained = run_silo(
        "outbox",
        "drain",
        "--silo",
        "region",
        "--name",
        REGION,
        *database,
        "--once",
        "--control",
        f"127.0.0.1:{control_server.port}",
        env={"SILO_RPC_SHARED_SECRETS": TEST_SECRET},
    )
    assert drained.returncode == 0, drained.stderr
    assert "delivered 2 messages" in drained.stdout
    assert run_silo("outbox", "status", "--silo", "region", *database).stdout.strip() == (
        "region outbox is empty"
    )
    listed = control_silo.services.get(UserService).get_organizations(user_id=owner.id)
    assert [o.slug for o in listed] == ["queued"]


def test_unknown_silo_is_a_usage_error() -> None:
    result = run_silo("outbox", "status", "--silo", "galaxy")
    assert result.returncode == 2 and "control" in result.stderr
