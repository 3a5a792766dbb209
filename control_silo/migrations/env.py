"""Alembic environment of the control silo: migrates ControlBase.metadata."""

from __future__ import annotations

from alembic import context

import control_silo.db.models  # noqa: F401 - registers every table on the metadata
from control_silo.db.base import ControlBase
from shared.db.engine import make_engine

config = context.config
engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
try:
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=ControlBase.metadata,
            version_table=config.get_main_option("version_table") or "alembic_version",
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
finally:
    engine.dispose()
