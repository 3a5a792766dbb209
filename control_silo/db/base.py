"""The control silo's declarative base (its metadata is the control schema)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.db.columns import silo_metadata


class ControlBase(DeclarativeBase):
    """Base of every control-silo table; its metadata is the control schema."""

    metadata = silo_metadata()
