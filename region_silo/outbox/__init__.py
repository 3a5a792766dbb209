"""The region silo's outbox table, for `silo outbox`, and its out-of-process drain."""

from __future__ import annotations

from region_silo.db.models import RegionOutboxRow
from shared.config import Settings
from shared.outbox.drainer import drain_until_interrupted
from shared.outbox.table import OutboxTable


def drain(settings: Settings, once: bool) -> int:
    """Delivers the region's outbox to the control silo."""
    from region_silo.bootstrap import build_region_silo  # noqa: PLC0415 - heavy imports

    region = build_region_silo(settings)
    try:
        region.check_schema()
        return drain_until_interrupted(region.drainer, once=once)
    finally:
        region.close()


REGION_OUTBOX = OutboxTable(silo="region", model=RegionOutboxRow, per_region=False, drain=drain)
