"""The record of each import chunk written in this region."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped

from region_silo.db.base import RegionBase
from shared.db.columns import BigIntId
from shared.relocation.record_table import ImportChunkColumns


class RegionImportChunkRow(ImportChunkColumns, RegionBase):
    """One chunk of an import written in this region, and what became of its rows."""

    __tablename__ = "regionimportchunk"
    __table_args__ = (UniqueConstraint("import_uuid", "model", "min_ordinal"),)

    id: Mapped[BigIntId]
