"""Each silo's migrations build exactly the schema its models declare: a table, column, index or
constraint added to one and not the other fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine

import control_silo.db.models  # noqa: F401 - registers every control table
import region_silo.db.models  # noqa: F401 - registers every region table
from control_silo.db.base import ControlBase
from control_silo.migrations import CONTROL_MIGRATIONS
from region_silo.db.base import RegionBase
from region_silo.migrations import REGION_MIGRATIONS
from shared.db.migrations import MigrationHistory
from tests.databases import scratch_database


# SQLite cannot reflect expression indexes (lower(username), ...); PostgreSQL compares them too.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.parametrize(
    ("history", "metadata"),
    [(CONTROL_MIGRATIONS, ControlBase.metadata), (REGION_MIGRATIONS, RegionBase.metadata)],
    ids=["control", "region"],
)
def test_migrations_build_the_declared_schema(
    tmp_path: Path, history: MigrationHistory, metadata: MetaData
) -> None:
    with scratch_database(tmp_path, f"schema_{history.silo}") as url:
        history.upgrade(url)
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                context = MigrationContext.configure(
                    connection,
                    opts={"compare_type": True, "version_table": history.version_table},
                )
                differences = [
                    diff
                    for diff in compare_metadata(context, metadata)
                    # The version table is Alembic's, not a model's.
                    if not (diff[0] == "remove_table" and diff[1].name == history.version_table)
                ]
        finally:
            engine.dispose()
    assert differences == []
