"""The control silo's declarative base (its metadata is the control schema)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from shared.db.columns import BIG_INT, NAMING_CONVENTION, BigIntId, Created, OptionalTime

__all__ = ["BIG_INT", "BigIntId", "ControlBase", "Created", "OptionalTime"]


class ControlBase(DeclarativeBase):
    """Base of every control-silo table; its metadata is the control schema."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
