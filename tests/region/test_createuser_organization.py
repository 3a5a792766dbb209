"""`silo createuser` on a single-organization install: new users join the organization."""

from __future__ import annotations

import pytest

from control_silo.bootstrap import ControlSilo
from region_silo.bootstrap import RegionSilo
from region_silo.db.models import OrganizationMemberTeamRow
from shared.rpc.server import RunningServer
from shared.services.organization.model import MemberRole
from shared.services.organization.service import OrganizationService
from tests.conftest import TEST_SECRET
from tests.integration.processes import run_silo
from tests.region.conftest import REGION, Counts


@pytest.fixture
def cli(control_server: RunningServer, region_server: RunningServer) -> list[str]:
    return [
        "createuser",
        "--control",
        f"127.0.0.1:{control_server.port}",
        "--region",
        f"{REGION}=127.0.0.1:{region_server.port}",
        "--no-input",
        "--no-password",
    ]


SIGNED = {"SILO_RPC_SHARED_SECRETS": TEST_SECRET, "SILO_SINGLE_ORGANIZATION": "true"}


def test_new_users_join_the_default_organization(
    cli: list[str], control_silo: ControlSilo, region_silo: RegionSilo, make_control_user: object
) -> None:
    founder = make_control_user("founder")  # type: ignore[operator]
    organizations = region_silo.services.get(OrganizationService)
    first = organizations.create_organization(
        slug="solo", name="Solo", owner_user_id=founder.id, default_role=MemberRole.ADMIN
    )
    organizations.create_organization(slug="later", name="Later", owner_user_id=founder.id)

    boss = run_silo(*cli, "--email", "boss@example.com", "--superuser", env=SIGNED)
    assert boss.returncode == 0, boss.stderr
    assert boss.stdout.splitlines() == [
        "User created: boss@example.com",
        "Added to organization: solo",
    ]
    plain = run_silo(*cli, "--email", "plain@example.com", env=SIGNED)
    assert plain.returncode == 0, plain.stderr

    members = {m.user_email: m for m in organizations.list_members(organization_id=first.id)}
    assert members["boss@example.com"].role is MemberRole.OWNER
    assert members["plain@example.com"].role is MemberRole.ADMIN
    team = organizations.get_single_team(organization_id=first.id)
    assert team is not None
    with region_silo.sessions() as session:
        on_team = {
            row.organizationmember_id
            for row in session.query(OrganizationMemberTeamRow).filter_by(team_id=team.id)
        }
    assert {members["boss@example.com"].id, members["plain@example.com"].id} <= on_team

    again = run_silo(*cli, "--email", "plain@example.com", "--force-update", env=SIGNED)
    assert again.returncode == 0 and "Added to organization" not in again.stdout


def test_org_id_picks_the_organization_and_unknown_ids_fail(
    cli: list[str], region_silo: RegionSilo, make_control_user: object, both_row_counts: Counts
) -> None:
    founder = make_control_user("founder")  # type: ignore[operator]
    organizations = region_silo.services.get(OrganizationService)
    organizations.create_organization(slug="first", name="First", owner_user_id=founder.id)
    chosen = organizations.create_organization(slug="chosen", name="C", owner_user_id=founder.id)
    region_silo.drainer.drain_due()

    picked = run_silo(*cli, "--email", "p@example.com", "--org-id", str(chosen.id), env=SIGNED)
    assert picked.returncode == 0, picked.stderr
    assert "Added to organization: chosen" in picked.stdout

    before = both_row_counts()
    missing = run_silo(*cli, "--email", "m@example.com", "--org-id", "987654", env=SIGNED)
    assert missing.returncode != 0
    assert "Organization 987654 does not exist." in missing.stderr
    assert both_row_counts() == before


def test_no_organization_to_join_is_an_error(
    cli: list[str], both_row_counts: Counts, region_silo: RegionSilo
) -> None:
    before = both_row_counts()
    result = run_silo(*cli, "--email", "lonely@example.com", env=SIGNED)
    assert result.returncode != 0 and "No organization to add users to" in result.stderr
    assert both_row_counts() == before
