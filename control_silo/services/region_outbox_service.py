"""Region outbox messages applied in batches: one control transaction per call, a savepoint
per message, so a message that fails leaves the others applied. Every message is versioned or
idempotent, so a batch applied twice changes nothing more: its units of work are not tied to the
request log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from control_silo.services.mapping_updates import apply_message
from shared import validation
from shared.db.unit_of_work import UnitOfWork
from shared.outbox.batches import APPLIED, IGNORED, apply_each
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
        applied = self._apply_whole(messages)
        if applied is not None:
            return applied
        with UnitOfWork(self._sessions, outbox=self._outbox, idempotent=True) as uow:

            def apply(message: RegionOutboxMessage) -> bool:
                # A savepoint per message: one that fails leaves no trace and the others stand.
                with uow.session.begin_nested():
                    return apply_message(uow, self._regions, message)

            results = apply_each(messages, lambda message: message.shard_identifier, apply)
            uow.commit()
        return results

    def _apply_whole(self, messages: Sequence[RegionOutboxMessage]) -> list[MessageResult] | None:
        """Applies every message in one transaction without savepoints (two statements fewer per
        message); None, with nothing written, when one fails: the caller then applies the batch
        message by message."""
        with UnitOfWork(self._sessions, outbox=self._outbox, idempotent=True) as uow:
            results: list[MessageResult] = []
            for message in messages:
                try:
                    wrote = apply_message(uow, self._regions, message, savepoint=False)
                except Exception:  # the per-message pass reports it; nothing is kept of this one
                    return None
                results.append(APPLIED if wrote else IGNORED)
            uow.commit()
        return results
