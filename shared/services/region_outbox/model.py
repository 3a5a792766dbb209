"""Typed values of the region outbox delivery: a message per object, a result per message."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMappingUpdate,
)


@dataclass(frozen=True)
class OrganizationRemoval:
    """The organization no longer exists in its region."""

    organization_id: int


@dataclass(frozen=True)
class MemberRemoval:
    """The membership no longer exists in its region; ``version`` only ever grows."""

    organization_id: int
    organizationmember_id: int
    version: int


@dataclass(frozen=True)
class RegionOutboxMessage:
    """The current state of the object one outbox message is about: exactly one change is set.
    Messages of one shard (``shard_identifier``, the organization) apply in the order sent."""

    shard_identifier: int
    organization: OrganizationMappingUpdate | None = None
    organization_removed: OrganizationRemoval | None = None
    member: MemberMappingUpdate | None = None
    member_removed: MemberRemoval | None = None


class DeliveryOutcome(enum.Enum):
    """What became of one message of a batch."""

    APPLIED = 1
    IGNORED = 2  # nothing to write (a newer version is recorded): delivered all the same
    FAILED = 3  # not applied; the sender keeps it and tries again
    SKIPPED = 4  # not tried: an earlier message of its shard failed

    @property
    def delivered(self) -> bool:
        """Whether the sender may forget the message."""
        return self in (DeliveryOutcome.APPLIED, DeliveryOutcome.IGNORED)


@dataclass(frozen=True)
class MessageResult:
    """The outcome of one message; ``error`` says why a FAILED one failed."""

    outcome: DeliveryOutcome
    error: str = ""
