"""The control silo's outbox table, for `silo outbox`, and its out-of-process drain."""

from __future__ import annotations

import time

from control_silo.db.models import ControlOutbox
from shared.config import Settings
from shared.outbox.table import OutboxTable


def drain(settings: Settings, once: bool) -> int:
    """Delivers the control outbox to the regions of the directory: one pass, or every second
    until interrupted. Returns how many messages were delivered."""
    from control_silo.bootstrap import build_control_silo  # noqa: PLC0415 - heavy imports

    control = build_control_silo(settings)
    control.check_schema()
    delivered = 0
    try:
        while True:
            delivered += control.drainer.drain_due()
            if once:
                return delivered
            time.sleep(1.0)
    except KeyboardInterrupt:
        return delivered
    finally:
        control.close()


CONTROL_OUTBOX = OutboxTable(silo="control", model=ControlOutbox, per_region=True, drain=drain)
