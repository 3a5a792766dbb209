"""The control silo's Alembic migration history."""

from pathlib import Path

from shared.db.migrations import MigrationHistory

CONTROL_MIGRATIONS = MigrationHistory(
    silo="control",
    script_location=Path(__file__).resolve().parent,
    version_table="alembic_version_control",
)
