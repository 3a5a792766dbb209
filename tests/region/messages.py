"""Outbox messages the region's batch tests send."""

from __future__ import annotations

from shared.services.control_outbox.model import ControlOutboxMessage
from shared.services.slug_replica.service import SlugReservation
from tests.region.conftest import REGION


def reservation_message(reservation_id: int, slug: str) -> ControlOutboxMessage:
    """A slug reservation of organization ``reservation_id`` in the test region."""
    return ControlOutboxMessage(
        reservation_id,
        reservation=SlugReservation(
            id=reservation_id,
            slug=slug,
            organization_id=reservation_id,
            user_id=None,
            region_name=REGION,
            reservation_type=0,
        ),
    )
