"""Interface of the region outbox delivery (owned by the control silo)."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from shared.services.region_outbox.model import MessageResult, RegionOutboxMessage


class RegionOutboxService(abc.ABC):
    """Applies a region's outbox messages. Every method raises ``shared.errors`` types."""

    @abc.abstractmethod
    def deliver_outbox_batch(
        self, *, region_name: str, messages: Sequence[RegionOutboxMessage]
    ) -> list[MessageResult]:
        """Applies each message in the order given, each on its own and idempotently, and
        answers one result per message in the same order: a message that fails is FAILED and
        leaves the others applied; the later messages of its shard are SKIPPED, unapplied.

        :raises InvalidArgument: more than 1000 messages, or an unknown region
            (field ``region_name``).
        """
