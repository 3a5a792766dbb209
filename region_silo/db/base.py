"""The region silo's declarative base (its metadata is the region schema)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from shared.db.columns import BIG_INT, NAMING_CONVENTION, BigIntId, Created, OptionalTime

__all__ = ["BIG_INT", "BigIntId", "Created", "OptionalTime", "RegionBase"]


class RegionBase(DeclarativeBase):
    """Base of every region-silo table; never shares a connection with the control schema."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
