"""The region outbox: messages to the control silo, written with the change they describe."""

from __future__ import annotations

from sqlalchemy import Index
from sqlalchemy.orm import Mapped

from region_silo.db.base import RegionBase
from shared.db.columns import BigIntId
from shared.db.requests import RequestLogColumns
from shared.outbox.model import OutboxColumns


class RegionOutboxRow(OutboxColumns, RegionBase):
    """One message for the control silo."""

    __tablename__ = "regionoutbox"
    __table_args__ = (
        Index("ix_regionoutbox_shard", "shard_scope", "shard_identifier", "id"),
        Index("ix_regionoutbox_scheduled_for", "scheduled_for"),
        # Ids are message versions: SQLite must never hand out an id again once rows are gone.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[BigIntId]


class RegionRequestRow(RequestLogColumns, RegionBase):
    """The request log: the key of each RPC whose writes committed, and its response."""

    __tablename__ = "regionrequest"
