"""Interface of the control outbox delivery (owned by each region silo)."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from shared.services.control_outbox.model import ControlOutboxMessage
from shared.services.region_outbox.model import MessageResult


class ControlOutboxService(abc.ABC):
    """Applies the control silo's outbox messages in a region."""

    @abc.abstractmethod
    def deliver_outbox_batch(
        self, *, messages: Sequence[ControlOutboxMessage]
    ) -> list[MessageResult]:
        """Applies each message in the order given, each on its own and idempotently, and
        answers one result per message in the same order: a message that fails is FAILED and
        leaves the others applied; the later messages of its shard are SKIPPED, unapplied.

        :raises InvalidArgument: more than 1000 messages.
        """
