"""The control silo's Alembic migration history."""

from shared.db.migrations import MigrationHistory

CONTROL_MIGRATIONS = MigrationHistory.beside("control", __file__)
