"""The region silo's outbox table, for `silo outbox`, and its out-of-process drain."""

from __future__ import annotations

import time

from region_silo.db.models import RegionOutbox
from shared.config import Settings
from shared.outbox.table import OutboxTable


def drain(settings: Settings, once: bool) -> int:
    """Delivers the region's outbox to the control silo: one pass, or every second until
    interrupted. Returns how many messages were delivered."""
    from region_silo.bootstrap import build_region_silo  # noqa: PLC0415 - heavy imports

    region = build_region_silo(settings)
    region.check_schema()
    delivered = 0
    try:
        while True:
            delivered += region.drainer.drain_due()
            if once:
                return delivered
            time.sleep(1.0)
    except KeyboardInterrupt:
        return delivered
    finally:
        region.close()


REGION_OUTBOX = OutboxTable(silo="region", model=RegionOutbox, per_region=False, drain=drain)
