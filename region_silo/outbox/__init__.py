"""The region silo's outbox table, for `silo outbox`, and how its drain builds the silo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from region_silo.db.models import RegionOutboxRow
from shared.config import Settings
from shared.outbox.table import OutboxTable

if TYPE_CHECKING:
    from region_silo.bootstrap import RegionSilo


def _build(settings: Settings) -> RegionSilo:
    from region_silo.bootstrap import build_region_silo  # noqa: PLC0415 - heavy imports

    return build_region_silo(settings)


REGION_OUTBOX = OutboxTable(silo="region", model=RegionOutboxRow, per_region=False, build=_build)
