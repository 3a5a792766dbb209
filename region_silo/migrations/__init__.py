"""The region silo's Alembic migration history."""

from shared.db.migrations import MigrationHistory

REGION_MIGRATIONS = MigrationHistory.beside("region", __file__)
