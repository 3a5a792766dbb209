"""`silo verify` against running silos whose databases were made to disagree by writing into one
side directly: every difference printed, nothing written without `--repair`, and repairs that
go through the outboxes until a second run finds nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update

from control_silo.db.models import (
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
    OrganizationSlugReservationRow,
)
from region_silo.db.models import (
    OrganizationMemberRow,
    OrganizationMemberTeamRow,
    OrganizationRow,
    OrganizationSlugReservationReplicaRow,
    TeamRow,
)
from shared.db.engine import make_engine
from shared.rpc.channel import open_channel
from shared.services.organization.model import MemberRole, Organization
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.registry import remote
from shared.services.user.model import NewUser, User
from tests.e2e.conftest import SECRET, Cluster, wait_until
from tests.integration.processes import run_silo


def verify(cluster: Cluster, *flags: str) -> subprocess.CompletedProcess[str]:
    regions = [
        argument
        for name, url in sorted(cluster.region_urls.items())
        for argument in ("--region-database", f"{name}={url}")
    ]
    return run_silo("verify", "--database-url", cluster.control_url, *regions, *flags)


def execute(url: str, *statements: Any) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(statement)
    finally:
        engine.dispose()


def rows(url: str, query: Any) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(query).all())
    finally:
        engine.dispose()


def new_user(cluster: Cluster) -> User:
    name = f"verify-{uuid.uuid4().hex[:8]}"
    return cluster.users().create_user(user=NewUser(username=name, email=f"{name}@example.com"))


def mapping(cluster: Cluster, organization_id: int) -> Any:
    found = rows(
        cluster.control_url,
        select(
            OrganizationMappingRow.slug,
            OrganizationMappingRow.name,
            OrganizationMappingRow.region_name,
            OrganizationMappingRow.verified,
        ).where(OrganizationMappingRow.organization_id == organization_id),
    )
    return found[0] if found else None


def member_mappings(cluster: Cluster, organization_id: int) -> list[Any]:
    return rows(
        cluster.control_url,
        select(
            OrganizationMemberMappingRow.organizationmember_id,
            OrganizationMemberMappingRow.user_id,
            OrganizationMemberMappingRow.role,
        )
        .where(OrganizationMemberMappingRow.organization_id == organization_id)
        .order_by(OrganizationMemberMappingRow.organizationmember_id),
    )


def reservations(cluster: Cluster, organization_id: int) -> list[str]:
    return [
        row.slug
        for row in rows(
            cluster.control_url,
            select(OrganizationSlugReservationRow.slug).where(
                OrganizationSlugReservationRow.organization_id == organization_id
            ),
        )
    ]


def settled_organization(cluster: Cluster, region: str, owner: User) -> Organization:
    """An organization whose mapping and owner's member mapping reached the control silo."""
    slug = f"verify-{uuid.uuid4().hex[:10]}"
    organization = cluster.organizations(region).create_organization(
        slug=slug, name=slug, owner_user_id=owner.id
    )
    wait_until(
        lambda: (
            mapping(cluster, organization.id) is not None
            and mapping(cluster, organization.id).verified
            and len(member_mappings(cluster, organization.id)) == 1
        )
    )
    return organization


def test_a_settled_cluster_has_no_differences(cluster: Cluster) -> None:
    owner = new_user(cluster)
    settled_organization(cluster, "us", owner)
    settled_organization(cluster, "de", owner)

    result = verify(cluster)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no differences (regions de, us)" in result.stdout


def test_control_drift_is_printed_then_repaired_through_the_region_outboxes(
    cluster: Cluster,
) -> None:
    owner = new_user(cluster)
    renamed = settled_organization(cluster, "us", owner)
    unmapped = settled_organization(cluster, "de", owner)
    unreserved = settled_organization(cluster, "us", owner)
    moved = settled_organization(cluster, "de", owner)
    execute(
        cluster.control_url,
        update(OrganizationMappingRow)
        .where(OrganizationMappingRow.organization_id == renamed.id)
        .values(name="Tampered"),
        delete(OrganizationMemberMappingRow).where(
            OrganizationMemberMappingRow.organization_id == renamed.id
        ),
        delete(OrganizationMappingRow).where(OrganizationMappingRow.organization_id == unmapped.id),
        delete(OrganizationSlugReservationRow).where(
            OrganizationSlugReservationRow.organization_id == unreserved.id
        ),
        update(OrganizationSlugReservationRow)
        .where(OrganizationSlugReservationRow.organization_id == moved.id)
        .values(slug=f"elsewhere-{uuid.uuid4().hex[:8]}"),
    )

    found = verify(cluster)

    assert found.returncode == 1, found.stdout + found.stderr
    lines = found.stdout.splitlines()
    assert f"organization {renamed.id} in us: mapping has name 'Tampered' (region: " in "\n".join(
        lines
    )
    owner_member = cluster.organizations("us").list_members(organization_id=renamed.id)[0]
    assert f"organization {renamed.id} member {owner_member.id} in us: no member mapping" in lines
    assert f"organization {unmapped.id} in de: no mapping" in lines
    assert f"organization {unreserved.id} in us: slug {unreserved.slug!r} is not reserved" in lines
    assert any(
        line.startswith(f"organization {moved.id} in de: reservation holds 'elsewhere-")
        for line in lines
    )
    assert "5 differences (regions de, us)" in found.stdout
    # Without --repair nothing is written.
    assert mapping(cluster, renamed.id).name == "Tampered"
    assert mapping(cluster, unmapped.id) is None
    assert reservations(cluster, unreserved.id) == []

    repaired = verify(cluster, "--repair")

    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "repairing 5 differences" in repaired.stdout
    assert mapping(cluster, renamed.id).name == renamed.name
    assert [row.user_id for row in member_mappings(cluster, renamed.id)] == [owner.id]
    assert mapping(cluster, unmapped.id) == (unmapped.slug, unmapped.name, "de", True)
    assert reservations(cluster, unreserved.id) == [unreserved.slug]
    assert reservations(cluster, moved.id) == [moved.slug]
    # The region's replica of the reservations follows the control silo's outbox.
    wait_until(
        lambda: (
            [
                row.slug
                for row in rows(
                    cluster.region_urls["de"],
                    select(OrganizationSlugReservationReplicaRow.slug).where(
                        OrganizationSlugReservationReplicaRow.organization_id == moved.id
                    ),
                )
            ]
            == [moved.slug]
        )
    )
    assert verify(cluster).returncode == 0


def test_region_drift_is_printed_then_repaired(cluster: Cluster) -> None:
    owner = new_user(cluster)
    memberless = settled_organization(cluster, "us", owner)
    vanished = settled_organization(cluster, "de", owner)
    renamed = settled_organization(cluster, "us", owner)
    member = cluster.organizations("de").add_organization_member(
        organization_id=vanished.id, role=MemberRole.MEMBER, email="invited@example.com"
    )
    wait_until(lambda: len(member_mappings(cluster, vanished.id)) == 2)
    execute(
        cluster.region_urls["us"],
        delete(OrganizationMemberRow).where(OrganizationMemberRow.organization_id == memberless.id),
        update(OrganizationRow).where(OrganizationRow.id == renamed.id).values(name="Renamed"),
    )
    teams = select(TeamRow.id).where(TeamRow.organization_id == vanished.id)
    execute(
        cluster.region_urls["de"],
        delete(OrganizationMemberTeamRow).where(OrganizationMemberTeamRow.team_id.in_(teams)),
        delete(TeamRow).where(TeamRow.organization_id == vanished.id),
        delete(OrganizationMemberRow).where(OrganizationMemberRow.organization_id == vanished.id),
        delete(OrganizationSlugReservationReplicaRow).where(
            OrganizationSlugReservationReplicaRow.organization_id == vanished.id
        ),
        delete(OrganizationRow).where(OrganizationRow.id == vanished.id),
    )

    found = verify(cluster)

    assert found.returncode == 1, found.stdout + found.stderr
    lines = found.stdout.splitlines()
    assert any(
        line.startswith(f"organization {memberless.id} member ")
        and line.endswith("in us: member mapping without a membership")
        for line in lines
    )
    assert (
        f"organization {vanished.id} in de: mapping ({vanished.slug!r}) without an "
        "organization" in lines
    )
    assert any(
        line.startswith(f"organization {renamed.id} in us: mapping has name {renamed.name!r}")
        for line in lines
    )
    assert member.id > 0

    repaired = verify(cluster, "--repair")

    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert member_mappings(cluster, memberless.id) == []
    assert mapping(cluster, vanished.id) is None
    assert member_mappings(cluster, vanished.id) == []
    assert reservations(cluster, vanished.id) == []
    assert mapping(cluster, renamed.id).name == "Renamed"
    # The vanished organization's slug is free again.
    again = cluster.organizations("us").create_organization(
        slug=vanished.slug, name="Again", owner_user_id=owner.id
    )
    assert again.slug == vanished.slug
    wait_until(lambda: mapping(cluster, again.id) is not None)
    assert verify(cluster).returncode == 0


def test_orphan_reservations_are_released_on_demand(cluster: Cluster) -> None:
    owner = new_user(cluster)
    provisioning = remote(
        OrganizationProvisioningService, open_channel(cluster.control_address, secret=SECRET)
    )
    # The control half of a creation whose region never committed its half.
    slug = f"orphan-{uuid.uuid4().hex[:8]}"
    orphan_id = provisioning.provision_organization(
        slug=slug, name=slug, region_name="us", owner_user_id=owner.id
    )
    stale = settled_organization(cluster, "de", owner)
    execute(
        cluster.control_url,
        update(OrganizationMappingRow)
        .where(OrganizationMappingRow.organization_id == stale.id)
        .values(name="Tampered"),
    )

    # Within the grace the orphan may still be in flight: not a difference yet.
    within_grace = verify(cluster)
    assert f"organization {orphan_id} " not in within_grace.stdout
    assert within_grace.returncode == 1  # the tampered mapping

    released = verify(cluster, "--release-orphans", "--grace", "0", "--wait", "5")

    assert f"organization {orphan_id} in us: mapping ({slug!r}) without an organization" in (
        released.stdout.splitlines()
    )
    assert reservations(cluster, orphan_id) == []
    assert mapping(cluster, orphan_id) is None
    # Only orphans were repaired: the tampered mapping remains, and the exit status says so.
    assert released.returncode == 1
    assert f"remaining: organization {stale.id} in de: mapping has name 'Tampered'" in (
        released.stdout
    )
    assert mapping(cluster, stale.id).name == "Tampered"
    # The slug is free again.
    reused = cluster.organizations("de").create_organization(
        slug=slug, name=slug, owner_user_id=owner.id
    )
    assert reused.slug == slug

    assert verify(cluster, "--repair").returncode == 0
    assert mapping(cluster, stale.id).name == stale.name


def test_a_reservation_alone_is_an_orphan(cluster: Cluster) -> None:
    slug = f"alone-{uuid.uuid4().hex[:8]}"
    execute(
        cluster.control_url,
        insert(OrganizationSlugReservationRow).values(
            slug=slug, organization_id=10**12, region_name="us", reservation_type=0
        ),
    )

    found = verify(cluster, "--grace", "0")
    assert found.returncode == 1
    assert f"organization {10**12} in us: reservation of {slug!r} without an organization" in (
        found.stdout.splitlines()
    )
    assert reservations(cluster, 10**12) == [slug]

    released = verify(cluster, "--release-orphans", "--grace", "0")
    assert released.returncode == 0, released.stdout + released.stderr
    assert reservations(cluster, 10**12) == []


def test_bad_arguments_exit_non_zero_with_the_flag_named(cluster: Cluster) -> None:
    bad_pair = run_silo("verify", "--database-url", cluster.control_url, "--region-database", "us")
    assert bad_pair.returncode == 2
    assert "--region-database" in bad_pair.stderr
    assert "'us' is not NAME=URL" in bad_pair.stderr

    no_region = run_silo("verify", "--database-url", cluster.control_url)
    assert no_region.returncode == 2
    assert "no region to verify" in no_region.stderr

    negative = verify(cluster, "--grace", "-1")
    assert negative.returncode == 2
    assert "--grace" in negative.stderr


def test_a_missing_or_unmigrated_region_database_exits_2_naming_it(
    cluster: Cluster, tmp_path: Path
) -> None:
    def verify_with(eu_url: str) -> subprocess.CompletedProcess[str]:
        return run_silo(
            "verify",
            "--database-url",
            cluster.control_url,
            "--region-database",
            f"us={cluster.region_urls['us']}",
            "--region-database",
            f"eu={eu_url}",
        )

    missing = tmp_path / "missing" / "region.sqlite3"
    result = verify_with(f"sqlite:///{missing}")
    assert result.returncode == 2
    assert f"region 'eu': no database at {missing}" in result.stderr
    assert not missing.parent.exists()

    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    result = verify_with(f"sqlite:///{empty}")
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot read the region 'eu' database: no such table")
    assert len(result.stderr.strip().splitlines()) == 1


def test_regions_of_the_directory_are_read_from_the_data_dir(tmp_path: Path) -> None:
    for silo, extra in (("control", []), ("region", ["--name", "us"])):
        upgraded = run_silo("upgrade", "--silo", silo, "--data-dir", str(tmp_path), *extra)
        assert upgraded.returncode == 0, upgraded.stderr

    result = run_silo("verify", "--data-dir", str(tmp_path), "--region", "us=127.0.0.1:50061")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no differences (regions us)" in result.stdout
    missing = run_silo("verify", "--data-dir", str(tmp_path), "--region", "de=127.0.0.1:50062")
    assert missing.returncode == 2
    assert f"region 'de': no database at {(tmp_path / 'region-de.sqlite3').resolve()}" in (
        missing.stderr
    )
