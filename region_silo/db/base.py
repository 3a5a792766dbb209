"""The region silo's declarative base (its metadata is the region schema)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.db.columns import silo_metadata


class RegionBase(DeclarativeBase):
    """Base of every region-silo table; never shares a connection with the control schema."""

    metadata = silo_metadata()
