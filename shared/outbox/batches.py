"""How a receiver applies a batch of outbox messages: in the order sent, each on its own, and
never a shard's message after one of that shard failed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

from shared.errors import SiloError
from shared.services.region_outbox.model import DeliveryOutcome, MessageResult

log = logging.getLogger("silo.outbox")

Message = TypeVar("Message")

APPLIED = MessageResult(DeliveryOutcome.APPLIED)
IGNORED = MessageResult(DeliveryOutcome.IGNORED)
SKIPPED = MessageResult(DeliveryOutcome.SKIPPED)


def apply_each(
    messages: Sequence[Message],
    shard_of: Callable[[Message], int],
    apply: Callable[[Message], bool],
) -> list[MessageResult]:
    """Calls ``apply`` for each message in order (True: it wrote something, False: there was
    nothing to write) and answers one result per message: an exception makes the message FAILED
    (the error in its result) and the later messages of its shard SKIPPED, not applied."""
    results: list[MessageResult] = []
    failed_shards: set[int] = set()
    for message in messages:
        shard = shard_of(message)
        if shard in failed_shards:
            results.append(SKIPPED)
            continue
        try:
            applied = apply(message)
        except Exception as error:  # one message's failure must not fail the others
            failed_shards.add(shard)
            results.append(
                MessageResult(DeliveryOutcome.FAILED, f"{type(error).__name__}: {error}")
            )
            if not isinstance(error, SiloError):
                log.exception("an outbox message failed")
            continue
        results.append(APPLIED if applied else IGNORED)
    return results
