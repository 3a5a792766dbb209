"""The control silo's outbox table, for `silo outbox`."""

from control_silo.db.models import ControlOutbox
from shared.outbox.table import OutboxTable

CONTROL_OUTBOX = OutboxTable(silo="control", model=ControlOutbox, per_region=True)
