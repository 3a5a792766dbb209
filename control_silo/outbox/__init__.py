"""The control silo's outbox table, for `silo outbox`, and how its drain builds the silo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from control_silo.db.models import ControlOutboxRow
from shared.config import Settings
from shared.outbox.table import OutboxTable

if TYPE_CHECKING:
    from control_silo.bootstrap import ControlSilo


def _build(settings: Settings) -> ControlSilo:
    from control_silo.bootstrap import build_control_silo  # noqa: PLC0415 - heavy imports

    return build_control_silo(settings)


CONTROL_OUTBOX = OutboxTable(silo="control", model=ControlOutboxRow, per_region=True, build=_build)
