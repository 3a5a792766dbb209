"""Region outbox messages applied in batches: one control transaction per call, a savepoint
per message, so a message that fails leaves the others applied."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from control_silo.services.mapping_updates import apply_message
from shared import validation
from shared.db.unit_of_work import UnitOfWork
from shared.outbox.batches import apply_each
from shared.outbox.writer import OutboxWriter
from shared.services.region_directory import RegionDirectory
from shared.services.region_outbox.model import (
    MessageResult,
    RegionOutboxMessage,
)
from shared.services.region_outbox.service import RegionOutboxService


class DatabaseRegionOutboxService(RegionOutboxService):
    """Applies region outbox messages to the control database's mappings."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        regions: RegionDirectory,
        outbox: OutboxWriter | None = None,
    ) -> None:
        self._sessions = sessions
        self._regions = regions
        self._outbox = outbox

    def deliver_outbox_batch(
        self, *, region_name: str, messages: Sequence[RegionOutboxMessage]
    ) -> list[MessageResult]:
        self._regions.require(region_name)
        validation.bounded_list(messages, "messages")
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:

            def apply(message: RegionOutboxMessage) -> bool:
                # A savepoint per message: one that fails leaves no trace and the others stand.
                with uow.session.begin_nested():
                    return apply_message(uow, self._regions, message)

            results = apply_each(messages, lambda message: message.shard_identifier, apply)
            uow.commit()
        return results
