"""The backlog of an outbox table, per shard, for `silo outbox status`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.outbox.categories import OutboxScope


@dataclass(frozen=True)
class ShardBacklog:
    """How many rows wait in one shard and how old the oldest is."""

    region_name: str
    scope: OutboxScope
    shard_identifier: int
    rows: int
    oldest_age_seconds: float
    next_attempt_in_seconds: float


def backlog(
    session: Session, model: type[Any], *, per_region: bool, now: datetime
) -> list[ShardBacklog]:
    """Every shard with waiting rows, oldest first."""
    region = [model.region_name] if per_region else []
    query = (
        select(
            *region,
            model.shard_scope,
            model.shard_identifier,
            func.count(),
            func.min(model.date_added),
            func.min(model.scheduled_for),
        )
        .group_by(*region, model.shard_scope, model.shard_identifier)
        .order_by(func.min(model.date_added))
    )
    shards = []
    for row in session.execute(query):
        values = tuple(row) if per_region else ("", *tuple(row))
        region_name, scope, identifier, count, oldest, next_attempt = values
        shards.append(
            ShardBacklog(
                region_name=region_name,
                scope=OutboxScope(scope),
                shard_identifier=identifier,
                rows=count,
                oldest_age_seconds=max(0.0, (now - _aware(oldest)).total_seconds()),
                next_attempt_in_seconds=max(0.0, (_aware(next_attempt) - now).total_seconds()),
            )
        )
    return shards


def _aware(value: datetime) -> datetime:
    # Aggregates bypass the column type, so SQLite hands back naive (UTC) datetimes or text.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
