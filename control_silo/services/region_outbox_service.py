"""Region outbox messages applied in batches: one control transaction per call, a savepoint
per message, so a message that fails leaves the others applied."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from control_silo.services.mapping_updates import apply_message
from shared import validation
from shared.db.unit_of_work import UnitOfWork
from shared.errors import SiloError
from shared.outbox.writer import OutboxWriter
from shared.services.region_directory import RegionDirectory
from shared.services.region_outbox.model import (
    DeliveryOutcome,
    MessageResult,
    RegionOutboxMessage,
)
from shared.services.region_outbox.service import RegionOutboxService

log = logging.getLogger("silo.control")

_SKIPPED = MessageResult(DeliveryOutcome.SKIPPED)
_APPLIED = MessageResult(DeliveryOutcome.APPLIED)
_IGNORED = MessageResult(DeliveryOutcome.IGNORED)


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
        results: list[MessageResult] = []
        failed_shards: set[int] = set()
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            for message in messages:
                if message.shard_identifier in failed_shards:
                    results.append(_SKIPPED)
                    continue
                try:
                    with uow.session.begin_nested():
                        applied = apply_message(uow, self._regions, message)
                except Exception as error:  # one message's failure must not fail the others
                    failed_shards.add(message.shard_identifier)
                    results.append(MessageResult(DeliveryOutcome.FAILED, _describe(error)))
                    if not isinstance(error, SiloError):
                        log.exception("a %s outbox message failed", region_name)
                    continue
                results.append(_APPLIED if applied else _IGNORED)
            uow.commit()
        return results


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"
