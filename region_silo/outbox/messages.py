"""The messages the region silo writes to its outbox, each in the caller's unit of work."""

from __future__ import annotations

from shared.outbox.categories import OutboxCategory
from shared.outbox.model import OutboxMessage

CARRIED: frozenset[OutboxCategory] = frozenset(
    {OutboxCategory.ORGANIZATION_UPDATE, OutboxCategory.ORGANIZATION_MEMBER_UPDATE}
)
"""Every category the region silo writes, so every category its delivery must handle."""


def organization_changed(organization_id: int) -> OutboxMessage:
    """The message that tells the control silo an organization row changed."""
    return OutboxMessage(OutboxCategory.ORGANIZATION_UPDATE, organization_id, organization_id)


def member_changed(organization_id: int, member_id: int) -> OutboxMessage:
    """The message that tells the control silo a membership changed (or went away)."""
    return OutboxMessage(
        OutboxCategory.ORGANIZATION_MEMBER_UPDATE,
        organization_id,
        member_id,
        payload={"organization_id": organization_id},
    )
