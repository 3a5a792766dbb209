"""ORGANIZATION_SLUG_RESERVATION_UPDATE messages, to the region holding the organization."""

from __future__ import annotations

from shared.db.unit_of_work import UnitOfWork
from shared.outbox.categories import OutboxCategory
from shared.outbox.model import OutboxMessage


def reservation_changed(
    uow: UnitOfWork, reservation_id: int, organization_id: int, region_name: str
) -> None:
    """Writes, in the unit of work's transaction, that a reservation changed or went away."""
    uow.add_outbox(
        OutboxMessage(
            OutboxCategory.ORGANIZATION_SLUG_RESERVATION_UPDATE,
            organization_id,
            reservation_id,
            region_name=region_name,
        )
    )
