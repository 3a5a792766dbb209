"""The region's slug reservation replica, written by the control silo's outbox."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from region_silo.db.models import OrganizationSlugReservationReplicaRow
from region_silo.writes.organizations import rename_from_reservation
from shared import slugs, validation
from shared.db.unit_of_work import UnitOfWork
from shared.outbox.writer import OutboxWriter
from shared.services.slug_replica.service import SlugReservation, SlugReservationReplicaService


class DatabaseSlugReservationReplicaService(SlugReservationReplicaService):
    """Replica rows in the region database; every call is idempotent."""

    def __init__(self, sessions: sessionmaker[Session], outbox: OutboxWriter | None = None) -> None:
        self._sessions = sessions
        self._outbox = outbox

    def upsert_replica(self, *, reservation: SlugReservation) -> None:
        validation.positive_id(reservation.id, "organization_slug_reservation_id")
        with UnitOfWork(self._sessions) as uow:
            session = uow.session
            row = session.scalars(
                select(OrganizationSlugReservationReplicaRow).where(
                    OrganizationSlugReservationReplicaRow.organization_slug_reservation_id
                    == reservation.id
                )
            ).first()
            # A slug moves between reservations when organizations rename: the replica follows.
            session.execute(
                delete(OrganizationSlugReservationReplicaRow).where(
                    OrganizationSlugReservationReplicaRow.slug == reservation.slug,
                    OrganizationSlugReservationReplicaRow.organization_slug_reservation_id
                    != reservation.id,
                )
            )
            if row is None:
                row = OrganizationSlugReservationReplicaRow(
                    organization_slug_reservation_id=reservation.id
                )
                session.add(row)
            row.slug = reservation.slug
            row.organization_id = reservation.organization_id
            row.user_id = reservation.user_id
            row.region_name = reservation.region_name
            row.reservation_type = reservation.reservation_type
            uow.commit()

    def delete_replica(self, *, reservation_id: int) -> None:
        with UnitOfWork(self._sessions) as uow:
            uow.session.execute(
                delete(OrganizationSlugReservationReplicaRow).where(
                    OrganizationSlugReservationReplicaRow.organization_slug_reservation_id
                    == reservation_id
                )
            )
            uow.commit()

    def rename_from_reservation(self, *, reservation: SlugReservation) -> bool:
        validation.positive_id(reservation.id, "organization_slug_reservation_id")
        validation.positive_id(reservation.organization_id, "organization_id")
        slugs.organization_slug(reservation.slug)
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            renamed = rename_from_reservation(uow, reservation.organization_id, reservation.slug)
            uow.commit()
        return renamed
