"""The region's slug reservation replica, written by the control silo's outbox."""

from __future__ import annotations

from collections.abc import Sequence
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
        self.apply_changes([reservation])

    def delete_replica(self, *, reservation_id: int) -> None:
        self.apply_changes([reservation_id])

    def apply_changes(self, changes: Sequence[SlugReservation | int]) -> None:
        """Upserts each reservation and deletes each reservation id, in order, in one
        transaction (a batch of the control silo's outbox messages)."""
        for change in changes:
            if isinstance(change, SlugReservation):
                validation.positive_id(change.id, "organization_slug_reservation_id")
        with UnitOfWork(self._sessions) as uow:
            for change in changes:
                if isinstance(change, SlugReservation):
                    _upsert(uow.session, change)
                else:
                    uow.session.execute(
                        delete(_REPLICAS).where(
                            _REPLICAS.c.organization_slug_reservation_id == change
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


def _upsert(session: Session, reservation: SlugReservation) -> None:
    replicas = _REPLICAS
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
    upsert = insert(replicas).values(organization_slug_reservation_id=reservation.id, **changed)
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=[replicas.c.organization_slug_reservation_id],
            set_={name: upsert.excluded[name] for name in changed},
        )
    )
