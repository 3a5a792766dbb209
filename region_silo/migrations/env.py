"""Alembic environment of the region silo: migrates RegionBase.metadata."""

import region_silo.db.models  # noqa: F401 - registers every table on the metadata
from region_silo.db.base import RegionBase
from shared.db.migrations import run_environment

run_environment(RegionBase.metadata)
