"""Delivers control outbox messages to regions. The user's current state is read at delivery
time, so a coalesced (or late) message always carries the newest state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import OrganizationSlugReservationRow, UserRow
from control_silo.db.models.organization import TEMPORARY_RENAME_ALIAS
from control_silo.outbox.messages import CARRIED
from control_silo.services.renames import RenameFinisher
from shared.cache.keys import user_cache_keys
from shared.outbox.categories import OutboxCategory
from shared.outbox.drainer import OutboxRecord, one_at_a_time
from shared.outbox.handlers import HandlerTable
from shared.outbox.writer import OutboxWriter
from shared.services.organization.service import OrganizationService
from shared.services.region_cache.service import RegionCacheService
from shared.services.region_directory import RegionDirectory
from shared.services.slug_replica.service import SlugReservation, SlugReservationReplicaService


class RegionDelivery:
    """The control drainer's ``deliver``: invalidations, user state and slug reservations for
    the regions, one message after another (a message that fails holds back the later ones of
    its shard only)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        regions: RegionDirectory,
        outbox: OutboxWriter | None = None,
    ) -> None:
        self._sessions = sessions
        self._regions = regions
        self._renames = RenameFinisher(sessions, regions, outbox)
        self._deliver_each = one_at_a_time(self.deliver_one)

    def __call__(self, records: Sequence[OutboxRecord]) -> Mapping[int, str]:
        return self._deliver_each(records)

    def deliver_one(self, record: OutboxRecord) -> None:
        """Delivers one message; raises when it could not."""
        HANDLERS.deliver(self, record)

    def _user_update(self, record: OutboxRecord) -> None:
        region, user_id = record.shard.region_name, record.object_identifier
        with self._sessions() as session:
            state = session.execute(
                select(UserRow.is_active, UserRow.email).where(UserRow.id == user_id)
            ).first()
        organizations = self._regions.service(OrganizationService, region)
        # Memberships first, then the cache: a reader that misses after the bump reads the
        # control silo, which already has the new state.
        if state is None:
            organizations.remove_user(user_id=user_id)
        else:
            is_active, email = state
            organizations.update_region_user(user_id=user_id, is_active=is_active, email=email)
        self._clear_user_keys(region, user_id)

    def _auth_identity_update(self, record: OutboxRecord) -> None:
        self._clear_user_keys(record.shard.region_name, record.object_identifier)

    def _clear_user_keys(self, region: str, user_id: int) -> None:
        self._regions.service(RegionCacheService, region).clear_keys(keys=user_cache_keys(user_id))

    def _reservation_update(self, record: OutboxRecord) -> None:
        reservation_id = record.object_identifier
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
        replica = self._regions.service(SlugReservationReplicaService, record.shard.region_name)
        if reservation is None:
            replica.delete_replica(reservation_id=reservation_id)
            return
        replica.upsert_replica(reservation=reservation)
        if reservation.reservation_type == TEMPORARY_RENAME_ALIAS:
            # A rename the region has not confirmed yet (its caller gave up, or the region was
            # down): finish it now. A failure leaves the message for the next try.
            self._renames.finish(reservation.organization_id)


HANDLERS: HandlerTable[RegionDelivery, None] = HandlerTable(
    "control",
    carries=CARRIED,
    handlers=[
        (OutboxCategory.USER_UPDATE, RegionDelivery._user_update),
        (OutboxCategory.AUTH_IDENTITY_UPDATE, RegionDelivery._auth_identity_update),
        (OutboxCategory.ORGANIZATION_SLUG_RESERVATION_UPDATE, RegionDelivery._reservation_update),
    ],
)
