"""Versions of the region cache's keys, shared by every process of the region."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from region_silo.db.base import RegionBase


class CacheVersionRow(RegionBase):
    """The current version of one logical cache key; bumped, never deleted, to invalidate."""

    __tablename__ = "cacheversion"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
