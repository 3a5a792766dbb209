"""Outbox row ids are message versions: they grow whatever the backend, however often the table
drains, across restarts, and across the migration that made them monotonic on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker

import control_silo.db.models  # noqa: F401 - registers every control table
import region_silo.db.models  # noqa: F401 - registers every region table
from control_silo.bootstrap import ControlSilo
from control_silo.db.models import ControlOutboxRow
from control_silo.migrations import CONTROL_MIGRATIONS
from region_silo.bootstrap import RegionSilo, build_region_silo
from region_silo.db.models import RegionOutboxRow
from region_silo.migrations import REGION_MIGRATIONS
from shared.config import Settings
from shared.db.engine import make_engine
from shared.db.migrations import MigrationHistory
from shared.outbox.categories import OutboxCategory
from shared.rpc.server import RunningServer
from shared.services.organization.model import MemberRole
from shared.services.organization.service import OrganizationService
from shared.services.user.model import NewUser
from shared.services.user.service import UserService
from shared.silo_mode import SiloMode
from tests.conftest import TEST_SECRET
from tests.databases import scratch_database

TABLES = [
    pytest.param(CONTROL_MIGRATIONS, ControlOutboxRow, "0004_relocation", id="control"),
    pytest.param(REGION_MIGRATIONS, RegionOutboxRow, "0004_org_auth_tokens", id="region"),
]


def _add(url: str, model: type[Any]) -> int:
    """Writes one outbox row with a fresh engine (a restarted process) and returns its id."""
    engine = make_engine(url)
    try:
        with sessionmaker(engine)() as session:
            row = _row(model)
            session.add(row)
            session.commit()
            return int(row.id)
    finally:
        engine.dispose()


def _row(model: type[Any]) -> Any:
    values: dict[str, Any] = {
        "shard_scope": 0,
        "shard_identifier": 7,
        "category": int(OutboxCategory.ORGANIZATION_MEMBER_UPDATE),
        "object_identifier": 9,
        "payload": {"organization_id": 7},
    }
    if model is ControlOutboxRow:
        values["region_name"] = "us"
    return model(**values)


def _drain(url: str, model: type[Any]) -> None:
    engine = make_engine(url)
    try:
        with sessionmaker(engine)() as session:
            session.execute(delete(model))
            session.commit()
            assert session.scalar(select(func.count()).select_from(model)) == 0
    finally:
        engine.dispose()


@pytest.mark.parametrize(("history", "model", "_previous"), TABLES)
def test_ids_grow_after_the_table_drains_and_across_restarts(
    tmp_path: Path, history: MigrationHistory, model: type[Any], _previous: str
) -> None:
    with scratch_database(tmp_path, f"versions_{history.silo}") as url:
        history.upgrade(url)
        seen = [_add(url, model), _add(url, model)]
        for _ in range(3):
            _drain(url, model)
            seen.append(_add(url, model))
        assert seen == sorted(seen) and len(set(seen)) == len(seen), seen


@pytest.mark.parametrize(("history", "model", "previous"), TABLES)
def test_ids_after_the_upgrade_exceed_every_id_used_before_it(
    tmp_path: Path, history: MigrationHistory, model: type[Any], previous: str
) -> None:
    # Versions issued before the upgrade live on in the receiving silo; the drained table no
    # longer knows them, yet the first id after the upgrade must be larger.
    with scratch_database(tmp_path, f"upgrade_{history.silo}") as url:
        history.upgrade(url, previous)
        before = max(_add(url, model) for _ in range(5))
        _drain(url, model)
        history.upgrade(url)
        after = _add(url, model)
        assert after > before
        _drain(url, model)
        assert _add(url, model) > after


@pytest.fixture
def region(tmp_path: Path, control_server: RunningServer) -> Iterator[RegionSilo]:
    with scratch_database(tmp_path, "versions_region") as url:
        REGION_MIGRATIONS.upgrade(url)
        built = build_region_silo(
            Settings(
                mode=SiloMode.REGION,
                region_name="us",
                database_url=url,
                control_address=f"127.0.0.1:{control_server.port}",
                rpc_shared_secrets=(TEST_SECRET,),
            )
        )
        try:
            yield built
        finally:
            built.close()


def test_a_removal_after_a_drain_reaches_the_control_silo(
    control_silo: ControlSilo, region: RegionSilo
) -> None:
    users = control_silo.services.get(UserService)
    owner = users.create_user(user=NewUser(username="versions-owner"))
    member = users.create_user(user=NewUser(username="versions-member"))
    organizations = region.services.get(OrganizationService)
    organization = organizations.create_organization(
        slug="versions", name="Versions", owner_user_id=owner.id
    )
    added = organizations.add_organization_member(
        organization_id=organization.id, role=MemberRole.MEMBER, user_id=member.id
    )
    region.drainer.drain_due()
    assert [o.organization_id for o in users.get_organizations(user_id=member.id)] == [
        organization.id
    ]
    assert _count(region, RegionOutboxRow) == 0

    organizations.delete_organization_member(organization_id=organization.id, member_id=added.id)
    region.drainer.drain_due()
    assert users.get_organizations(user_id=member.id) == []
    assert users.get_member_region_names(user_id=member.id) == []


def _count(region: RegionSilo, model: type[Any]) -> int:
    with region.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0
