"""Outbox row ids are message versions: they grow whatever the backend, however often the table
drains, across restarts, and across the migration that made them monotonic on SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker

import control_silo.db.models  # noqa: F401 - registers every control table
import region_silo.db.models  # noqa: F401 - registers every region table
from control_silo.db.models import ControlOutboxRow
from control_silo.migrations import CONTROL_MIGRATIONS
from region_silo.db.models import RegionOutboxRow
from region_silo.migrations import REGION_MIGRATIONS
from shared.db.engine import make_engine
from shared.db.migrations import MigrationHistory
from shared.outbox.categories import OutboxCategory
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
