"""The region silo's Alembic migration history."""

from pathlib import Path

from shared.db.migrations import MigrationHistory

REGION_MIGRATIONS = MigrationHistory(
    silo="region",
    script_location=Path(__file__).resolve().parent,
    version_table="alembic_version_region",
)
