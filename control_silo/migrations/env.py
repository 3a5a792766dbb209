"""Alembic environment of the control silo: migrates ControlBase.metadata."""

import control_silo.db.models  # noqa: F401 - registers every table on the metadata
from control_silo.db.base import ControlBase
from shared.db.migrations import run_environment

run_environment(ControlBase.metadata)
