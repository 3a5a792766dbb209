"""The statements a drainer runs against its outbox table, built once per drainer: a pass only
binds values, instead of building statements (and their cache keys) every time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Delete,
    Select,
    Update,
    bindparam,
    delete,
    func,
    select,
    tuple_,
    update,
)

from shared.outbox.model import ShardKey

# Settled ids are deleted this many at a time (far below every database's parameter limit).
SETTLE_CHUNK = 500


class DrainStatements:
    """The statements of one outbox table (``model``), its rows naming a destination region
    when ``per_region``; ``batch_size`` bounds the rows of one shard a pass reads."""

    def __init__(self, model: type[Any], *, per_region: bool, batch_size: int) -> None:
        self.per_region = per_region
        region = [model.region_name] if per_region else []
        shard_columns = [*region, model.shard_scope, model.shard_identifier]
        self.pending_columns = [
            model.id,
            model.category,
            model.object_identifier,
            model.payload,
            model.scheduled_from,
            model.scheduled_for,
            model.date_added,
        ]
        """The columns of an outbox row that a pending message is read from."""
        one_shard: list[ColumnElement[bool]] = [
            model.shard_scope == bindparam("b_shard_scope"),
            model.shard_identifier == bindparam("b_shard_identifier"),
        ]
        if per_region:
            one_shard.append(model.region_name == bindparam("b_region_name"))

        self.due_shards: Select[Any] = (
            select(*shard_columns).where(model.scheduled_for <= bindparam("now")).distinct()
        )
        """The shards with a row due at ``now``."""

        numbered = (
            select(
                *shard_columns,
                *self.pending_columns,
                func.row_number()
                .over(partition_by=shard_columns, order_by=model.id)
                .label("position"),
            )
            .where(tuple_(*shard_columns).in_(bindparam("shards", expanding=True)))
            .subquery()
        )
        self.due_rows_of_shards: Select[Any] = (
            select(numbered).where(numbered.c.position <= batch_size).order_by(numbered.c.id)
        )
        """Each shard's (``shards``, bound with ``shard_values``) oldest ``batch_size`` rows,
        the shard's columns first, in id order."""

        self.oldest_of_shard: Select[Any] = select(func.min(model.id)).where(*one_shard)
        """The id of a shard's oldest row (bound with ``shard_parameters``)."""
        self.lock_row: Select[Any] = (
            select(model.id)
            .where(model.id == bindparam("row_id"))
            .with_for_update(skip_locked=True)
        )
        """Locks row ``row_id`` unless another transaction holds it (then: no row)."""
        self.due_rows_of_shard: Select[Any] = (
            select(*self.pending_columns).where(*one_shard).order_by(model.id).limit(batch_size)
        )
        """A shard's oldest ``batch_size`` rows (bound with ``shard_parameters``)."""

        self.settle: Delete = delete(model).where(model.id.in_(bindparam("ids", expanding=True)))
        """Deletes the rows ``ids`` (at most ``SETTLE_CHUNK`` at a time)."""
        self.back_off: Update = (
            update(model)
            .where(*one_shard)
            .values(scheduled_from=bindparam("retry_from"), scheduled_for=bindparam("retry_at"))
        )
        """Schedules every row of a shard (``shard_parameters``) for ``retry_at``."""

    def shard_parameters(self, shard: ShardKey) -> dict[str, Any]:
        """The values naming one shard in ``oldest_of_shard``, ``due_rows_of_shard`` and
        ``back_off``."""
        values: dict[str, Any] = {
            "b_shard_scope": shard.shard_scope,
            "b_shard_identifier": shard.shard_identifier,
        }
        if self.per_region:
            values["b_region_name"] = shard.region_name
        return values

    def shard_values(self, shard: ShardKey) -> tuple[Any, ...]:
        """A shard as ``due_rows_of_shards`` takes it in ``shards``."""
        return tuple(shard) if self.per_region else tuple(shard)[1:]

    def shard_of(self, values: tuple[Any, ...]) -> ShardKey:
        """The shard of a row whose first columns are the shard's (``due_shards``,
        ``due_rows_of_shards``)."""
        if self.per_region:
            return ShardKey(values[0], values[1], values[2])
        return ShardKey("", values[0], values[1])

    def back_off_parameters(
        self, shard: ShardKey, now: datetime, retry_at: datetime
    ) -> dict[str, Any]:
        """The values of ``back_off`` for one shard."""
        return {**self.shard_parameters(shard), "retry_from": now, "retry_at": retry_at}
