"""The columns of each silo's import chunk table (controlimportchunk, regionimportchunk)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.types import UTCDateTime, utcnow


class ImportChunkColumns:
    """One written chunk: which import, model and ordinals, and its rows' outcomes as JSON.

    Unique on (import_uuid, model, min_ordinal) in each silo's table.
    """

    import_uuid: Mapped[str] = mapped_column(String(64), nullable=False)
    model: Mapped[str] = mapped_column(String(64), nullable=False)
    min_ordinal: Mapped[int] = mapped_column(BigInteger, nullable=False)
    max_ordinal: Mapped[int] = mapped_column(BigInteger, nullable=False)
    result: Mapped[str] = mapped_column(Text, nullable=False)
    date_added: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
