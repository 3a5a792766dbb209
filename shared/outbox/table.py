"""What the `silo outbox` commands need to know about a silo's outbox table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from shared.config import Settings
from shared.outbox.drainer import OutboxDrainer, drain_until_interrupted


class DrainingSilo(Protocol):
    """The part of a silo's composition root that draining its outbox out of process needs."""

    @property
    def drainer(self) -> OutboxDrainer:
        """Delivers the silo's outbox rows."""

    def check_schema(self) -> None:
        """Raises ``FailedPrecondition`` unless the database is migrated to head."""

    def close(self) -> None:
        """Stops background work and releases connections."""


@dataclass(frozen=True)
class OutboxTable:
    """A silo's outbox: its model, whether rows name a destination region, and how to build the
    silo that drains it out of process (a function, so the heavy bootstrap loads only then)."""

    silo: str
    model: type[Any]
    per_region: bool
    build: Callable[[Settings], DrainingSilo]

    def drain(self, settings: Settings, once: bool) -> int:
        """Delivers the outbox (one pass with ``once``, else until interrupted) and returns how
        many messages were delivered; the database must be migrated."""
        silo = self.build(settings)
        try:
            silo.check_schema()
            return drain_until_interrupted(silo.drainer, once=once)
        finally:
            silo.close()
