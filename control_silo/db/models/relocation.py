"""What imports write besides users' own rows: the record of each written chunk, second factors
and known IP addresses (the last two only restored from full backups)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from control_silo.db.base import ControlBase
from shared.db.columns import BIG_INT, BigIntId, Created, OptionalTime
from shared.db.types import UTCDateTime, utcnow
from shared.relocation.record_table import ImportChunkColumns


class ControlImportChunkRow(ImportChunkColumns, ControlBase):
    """One chunk of an import written in the control silo, and what became of its rows."""

    __tablename__ = "controlimportchunk"
    __table_args__ = (UniqueConstraint("import_uuid", "model", "min_ordinal"),)

    id: Mapped[BigIntId]


class AuthenticatorRow(ControlBase):
    """A user's second factor (TOTP, recovery codes, ...); ``config`` is kept verbatim."""

    __tablename__ = "authenticator"
    __table_args__ = (UniqueConstraint("user_id", "type"),)

    id: Mapped[BigIntId]
    user_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("user.id", ondelete="CASCADE"), nullable=False
    )
    type: Mapped[int] = mapped_column(Integer, nullable=False)
    config: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[Created]
    last_used_at: Mapped[OptionalTime]


class UserIPRow(ControlBase):
    """An address a user was seen at."""

    __tablename__ = "userip"
    __table_args__ = (UniqueConstraint("user_id", "ip_address"),)

    id: Mapped[BigIntId]
    user_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("user.id", ondelete="CASCADE"), nullable=False
    )
    ip_address: Mapped[str] = mapped_column(String(45), nullable=False)
    country_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    region_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
