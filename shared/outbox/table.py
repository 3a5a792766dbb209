"""What the `silo outbox` commands need to know about a silo's outbox table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.config import Settings


@dataclass(frozen=True)
class OutboxTable:
    """A silo's outbox: its model, whether rows name a destination region, and how to drain it
    out of process."""

    silo: str
    model: type[Any]
    per_region: bool
    drain: Callable[[Settings, bool], int]
