"""The control silo's outbox messages applied in a region, many per call, each through the
region service that applies it on its own (memberships, cache versions, slug replicas)."""

from __future__ import annotations

from collections.abc import Sequence

from region_silo.services.slug_replica_service import DatabaseSlugReservationReplicaService
from shared import validation
from shared.cache.keys import user_cache_keys
from shared.errors import InvalidArgument
from shared.outbox.batches import APPLIED, apply_each
from shared.services.control_outbox.model import ControlOutboxMessage
from shared.services.control_outbox.service import ControlOutboxService
from shared.services.organization.service import OrganizationService
from shared.services.region_cache.service import RegionCacheService
from shared.services.region_outbox.model import MessageResult
from shared.services.slug_replica.service import SlugReservation, SlugReservationReplicaService


class LocalControlOutboxService(ControlOutboxService):
    """Applies control outbox messages with the region's own services."""

    def __init__(
        self,
        organizations: OrganizationService,
        cache: RegionCacheService,
        replicas: SlugReservationReplicaService,
    ) -> None:
        self._organizations = organizations
        self._cache = cache
        self._replicas = replicas

    def deliver_outbox_batch(
        self, *, messages: Sequence[ControlOutboxMessage]
    ) -> list[MessageResult]:
        validation.bounded_list(messages, "messages")
        changes = [_replica_change(message) for message in messages]
        replica_changes = [change for change in changes if change is not None]
        if (
            replica_changes
            and len(replica_changes) == len(messages)
            and isinstance(self._replicas, DatabaseSlugReservationReplicaService)
        ):
            # Only slug replica changes (as organizations are created): all of them in one
            # transaction. Should one fail, nothing of it stays and they are applied one by
            # one below, so only its shard is held back.
            try:
                self._replicas.apply_changes(replica_changes)
            except Exception:  # noqa: S110 - the one-by-one pass reports the failure
                pass
            else:
                return [APPLIED] * len(messages)
        return apply_each(messages, lambda message: message.shard_identifier, self._apply)

    def _apply(self, message: ControlOutboxMessage) -> bool:
        changes = [
            change
            for change in (
                message.user,
                message.user_removed,
                message.user_invalidated,
                message.reservation,
                message.reservation_removed,
            )
            if change is not None
        ]
        if len(changes) != 1:
            raise InvalidArgument(
                f"a message must name one change, not {len(changes)}", field="messages"
            )
        # Memberships first, then the cache: a reader that misses after the bump reads the
        # control silo, which already has the new state.
        if message.user is not None:
            user = message.user
            self._organizations.update_region_user(
                user_id=user.user_id, is_active=user.is_active, email=user.email
            )
            self._cache.clear_keys(keys=user_cache_keys(user.user_id))
        elif message.user_removed is not None:
            self._organizations.remove_user(user_id=message.user_removed.user_id)
            self._cache.clear_keys(keys=user_cache_keys(message.user_removed.user_id))
        elif message.user_invalidated is not None:
            self._cache.clear_keys(keys=user_cache_keys(message.user_invalidated.user_id))
        elif message.reservation is not None:
            self._replicas.upsert_replica(reservation=message.reservation)
        elif message.reservation_removed is not None:
            self._replicas.delete_replica(reservation_id=message.reservation_removed.reservation_id)
        return True


def _replica_change(message: ControlOutboxMessage) -> SlugReservation | int | None:
    """The slug replica change a message carries alone (a reservation, or a removed
    reservation's id); None for any other message."""
    others = (message.user, message.user_removed, message.user_invalidated)
    if any(change is not None for change in others):
        return None
    if message.reservation is not None and message.reservation_removed is None:
        return message.reservation
    if message.reservation_removed is not None and message.reservation is None:
        return message.reservation_removed.reservation_id
    return None
