"""Outbox delivery by category: each silo names one handler per category its outbox carries."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from shared.outbox.categories import OutboxCategory
from shared.outbox.drainer import OutboxRecord

Delivery = TypeVar("Delivery")
Result = TypeVar("Result")
Handler = Callable[[Delivery, OutboxRecord], Result]


class HandlerTable(Generic[Delivery, Result]):
    """Category -> handler of one silo's delivery, checked when built (a module constant, so at
    import): every category the silo's outbox carries has exactly one handler, and no handler
    names a category the silo never writes.

    :param silo: the silo whose outbox this delivers, for messages.
    :param carries: every category the silo writes to its outbox.
    :param handlers: (category, handler) pairs; a handler takes the delivery object and a record
        and returns what the silo's delivery makes of it (nothing, or a message to send).
    """

    def __init__(
        self,
        silo: str,
        *,
        carries: Iterable[OutboxCategory],
        handlers: Iterable[tuple[OutboxCategory, Handler[Delivery, Result]]],
    ) -> None:
        self.silo = silo
        self._handlers: dict[OutboxCategory, Handler[Delivery, Result]] = {}
        for category, handler in handlers:
            if category in self._handlers:
                raise RuntimeError(f"the {silo} delivery has two handlers for {category.name}")
            self._handlers[category] = handler
        carried = frozenset(carries)
        unhandled = carried - self._handlers.keys()
        if unhandled:
            raise RuntimeError(f"the {silo} delivery has no handler for {_names(unhandled)}")
        foreign = self._handlers.keys() - carried
        if foreign:
            raise RuntimeError(
                f"the {silo} delivery handles {_names(foreign)}, which its outbox never carries"
            )

    def deliver(self, delivery: Delivery, record: OutboxRecord) -> Result:
        """Calls the handler of the record's category and returns what it returns;
        ``ValueError`` for a category the silo's outbox does not carry."""
        handler = self._handlers.get(record.category)
        if handler is None:
            raise ValueError(f"the {self.silo} outbox does not carry {record.category.name}")
        return handler(delivery, record)


def _names(categories: Iterable[OutboxCategory]) -> str:
    return ", ".join(sorted(category.name for category in categories))
