"""Typed values of the control outbox delivery: a message per object (results are
``shared.services.region_outbox.model.MessageResult``)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.services.slug_replica.service import SlugReservation


@dataclass(frozen=True)
class RegionUserState:
    """A user's current active flag and email, copied onto its memberships."""

    user_id: int
    is_active: bool
    email: str


@dataclass(frozen=True)
class RegionUserRemoval:
    """The user no longer exists."""

    user_id: int


@dataclass(frozen=True)
class RegionUserInvalidation:
    """Something the user's cached reads include changed."""

    user_id: int


@dataclass(frozen=True)
class SlugReservationRemoval:
    """The reservation no longer exists."""

    reservation_id: int


@dataclass(frozen=True)
class ControlOutboxMessage:
    """The current state of the object one control outbox message is about: exactly one change
    is set. Messages of one shard (``shard_identifier``) apply in the order sent."""

    shard_identifier: int
    user: RegionUserState | None = None
    user_removed: RegionUserRemoval | None = None
    user_invalidated: RegionUserInvalidation | None = None
    reservation: SlugReservation | None = None
    reservation_removed: SlugReservationRemoval | None = None
