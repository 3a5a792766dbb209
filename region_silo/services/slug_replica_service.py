"""The region's slug reservation replica, written by the control silo's outbox."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from region_silo.db.models import OrganizationSlugReservationReplicaRow
from region_silo.writes.organizations import rename_from_reservation
from shared import slugs, validation
from shared.db.checks import check_value
from shared.db.unit_of_work import UnitOfWork
from shared.outbox.writer import OutboxWriter
from shared.services.slug_replica.service import SlugReservation, SlugReservationReplicaService

_REPLICAS = cast(Table, OrganizationSlugReservationReplicaRow.__table__)


class DatabaseSlugReservationReplicaService(SlugReservationReplicaService):
    """Replica rows in the region database; every call is idempotent."""

    def __init__(self, sessions: sessionmaker[Session], outbox: OutboxWriter | None = None) -> None:
        self._sessions = sessions
        self._outbox = outbox

    def upsert_replica(self, *, reservation: SlugReservation) -> None:
        validation.positive_id(reservation.id, "organization_slug_reservation_id")
        replicas = _REPLICAS
        with UnitOfWork(self._sessions) as uow:
            session = uow.session
            # A slug moves between reservations when organizations rename: the replica follows.
            session.execute(
                delete(replicas).where(
                    replicas.c.slug == reservation.slug,
                    replicas.c.organization_slug_reservation_id != reservation.id,
                )
            )
            changed = {
                "slug": reservation.slug,
                "organization_id": reservation.organization_id,
                "user_id": reservation.user_id,
                "region_name": reservation.region_name,
                "reservation_type": reservation.reservation_type,
            }
            for name, value in changed.items():
                check_value(replicas.c[name], value)
            dialect = session.get_bind().dialect.name
            insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
            upsert = insert(replicas).values(
                organization_slug_reservation_id=reservation.id, **changed
            )
            session.execute(
                upsert.on_conflict_do_update(
                    index_elements=[replicas.c.organization_slug_reservation_id],
                    set_={name: upsert.excluded[name] for name in changed},
                )
            )
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
