"""Delivers control outbox messages to regions. The user's current state is read at delivery
time, so a coalesced (or late) message always carries the newest state."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import OrganizationSlugReservationRow, UserRow
from shared.cache.keys import user_cache_keys
from shared.outbox.categories import OutboxCategory
from shared.outbox.drainer import OutboxRecord
from shared.services.region_directory import RegionDirectory
from shared.services.slug_replica.service import SlugReservation


class RegionDelivery:
    """The control drainer's ``deliver``: invalidations and user state for one region."""

    def __init__(self, sessions: sessionmaker[Session], regions: RegionDirectory) -> None:
        self._sessions = sessions
        self._regions = regions

    def __call__(self, record: OutboxRecord) -> None:
        region = record.shard.region_name
        user_id = record.object_identifier
        if record.category is OutboxCategory.USER_UPDATE:
            self._user_update(region, user_id)
        elif record.category is OutboxCategory.AUTH_IDENTITY_UPDATE:
            self._regions.region_cache_service(region).clear_keys(keys=user_cache_keys(user_id))
        elif record.category is OutboxCategory.ORGANIZATION_SLUG_RESERVATION_UPDATE:
            self._reservation_update(region, record.object_identifier)
        else:
            raise ValueError(f"the control outbox cannot deliver {record.category.name} yet")

    def _reservation_update(self, region: str, reservation_id: int) -> None:
        with self._sessions() as session:
            row = session.get(OrganizationSlugReservationRow, reservation_id)
            reservation = (
                SlugReservation(
                    id=row.id,
                    slug=row.slug,
                    organization_id=row.organization_id,
                    user_id=row.user_id,
                    region_name=row.region_name,
                    reservation_type=row.reservation_type,
                )
                if row is not None
                else None
            )
        replica = self._regions.slug_replica_service(region)
        if reservation is None:
            replica.delete_replica(reservation_id=reservation_id)
        else:
            replica.upsert_replica(reservation=reservation)

    def _user_update(self, region: str, user_id: int) -> None:
        with self._sessions() as session:
            state = session.execute(
                select(UserRow.is_active, UserRow.email).where(UserRow.id == user_id)
            ).first()
        organizations = self._regions.organization_service(region)
        # Memberships first, then the cache: a reader that misses after the bump reads the
        # control silo, which already has the new state.
        if state is None:
            organizations.remove_user(user_id=user_id)
        else:
            is_active, email = state
            organizations.update_region_user(user_id=user_id, is_active=is_active, email=email)
        self._regions.region_cache_service(region).clear_keys(keys=user_cache_keys(user_id))
