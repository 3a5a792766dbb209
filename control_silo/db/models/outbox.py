"""The control outbox: messages to region silos, written in the same transaction as the change."""

from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from control_silo.db.base import ControlBase
from shared.db.columns import BigIntId
from shared.db.requests import RequestLogColumns
from shared.outbox.model import OutboxColumns


class ControlOutboxRow(OutboxColumns, ControlBase):
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
        # Ids are message versions: SQLite must never hand out an id again once rows are gone.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[BigIntId]
    region_name: Mapped[str] = mapped_column(String(48), nullable=False)


class ControlRequestRow(RequestLogColumns, ControlBase):
    """The request log: the key of each RPC whose writes committed, and its response."""

    __tablename__ = "controlrequest"
