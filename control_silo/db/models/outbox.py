"""The control outbox: messages to region silos, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from control_silo.db.base import BigIntId, ControlBase, Created
from shared.db.types import UTCDateTime, utcnow


class ControlOutbox(ControlBase):
    """One message for one destination region."""

    __tablename__ = "controloutbox"
    __table_args__ = (
        Index(
            "ix_controloutbox_shard",
            "region_name",
            "shard_scope",
            "shard_identifier",
            "id",
        ),
        Index("ix_controloutbox_scheduled_for", "scheduled_for"),
    )

    id: Mapped[BigIntId]
    region_name: Mapped[str] = mapped_column(String(48), nullable=False)
    shard_scope: Mapped[int] = mapped_column(Integer, nullable=False)
    shard_identifier: Mapped[int] = mapped_column(BigInteger, nullable=False)
    category: Mapped[int] = mapped_column(Integer, nullable=False)
    object_identifier: Mapped[int] = mapped_column(BigInteger, nullable=False)
    payload: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    scheduled_from: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    date_added: Mapped[Created]
