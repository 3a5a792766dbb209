"""The control silo's outbox table, for `silo outbox`, and its out-of-process drain."""

from __future__ import annotations

from control_silo.db.models import ControlOutboxRow
from shared.config import Settings
from shared.outbox.drainer import drain_until_interrupted
from shared.outbox.table import OutboxTable


def drain(settings: Settings, once: bool) -> int:
    """Delivers the control outbox to the regions of the directory."""
    from control_silo.bootstrap import build_control_silo  # noqa: PLC0415 - heavy imports

    control = build_control_silo(settings)
    try:
        control.check_schema()
        return drain_until_interrupted(control.drainer, once=once)
    finally:
        control.close()


CONTROL_OUTBOX = OutboxTable(silo="control", model=ControlOutboxRow, per_region=True, drain=drain)
