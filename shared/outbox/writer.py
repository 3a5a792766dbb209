"""How a unit of work turns outbox messages into rows, and whom it tells after commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from sqlalchemy import Insert, Table, insert

from shared.outbox.model import OutboxMessage, ShardKey


class OutboxWriter:
    """Builds rows of one outbox table and, after a commit, passes the touched shards on (the
    drainer delivers them at once instead of waiting for its sweep)."""

    def __init__(self, model: type[Any], *, per_region: bool) -> None:
        self.model = model
        self.per_region = per_region
        self.table = cast(Table, model.__table__)
        self.insert: Insert = insert(self.table)
        """The Core statement that writes one row (``values``) or many."""
        self._listeners: list[Callable[[Iterable[ShardKey]], None]] = []

    def values(self, message: OutboxMessage) -> dict[str, Any]:
        """The column values of the outbox row for ``message`` (the scheduling columns and
        ``date_added`` take their defaults)."""
        if self.per_region and not message.region_name:
            raise ValueError(f"{message.category.name} needs a destination region")
        values: dict[str, Any] = {
            "shard_scope": message.shard.shard_scope,
            "shard_identifier": message.shard_identifier,
            "category": int(message.category),
            "object_identifier": message.object_identifier,
            "payload": message.payload,
        }
        if self.per_region:
            values["region_name"] = message.region_name
        return values

    def listen(self, listener: Callable[[Iterable[ShardKey]], None]) -> None:
        """Calls ``listener`` with the shards of every committed unit of work."""
        self._listeners.append(listener)

    def committed(self, shards: Iterable[ShardKey]) -> None:
        """Tells the listeners which shards just received messages."""
        touched = list(shards)
        for listener in self._listeners:
            listener(touched)
