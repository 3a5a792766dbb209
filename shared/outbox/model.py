"""The columns every outbox table has, and the message a unit of work writes into one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import JSON, BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.types import UTCDateTime, utcnow
from shared.outbox.categories import OutboxCategory, scope_of


class OutboxColumns:
    """Mixin of the outbox columns shared by the control and region outbox tables."""

    shard_scope: Mapped[int] = mapped_column(Integer, nullable=False)
    shard_identifier: Mapped[int] = mapped_column(BigInteger, nullable=False)
    category: Mapped[int] = mapped_column(Integer, nullable=False)
    object_identifier: Mapped[int] = mapped_column(BigInteger, nullable=False)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    scheduled_from: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    date_added: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class ShardKey(NamedTuple):
    """Identifies one ordered stream of messages (per destination region on control rows)."""

    region_name: str
    shard_scope: int
    shard_identifier: int


@dataclass(frozen=True)
class OutboxMessage:
    """A message about one object; its scope follows from its category."""

    category: OutboxCategory
    shard_identifier: int
    object_identifier: int
    payload: dict[str, Any] | None = field(default=None)
    region_name: str = ""

    @property
    def shard(self) -> ShardKey:
        """The shard the message is delivered in."""
        return ShardKey(self.region_name, int(scope_of(self.category)), self.shard_identifier)
