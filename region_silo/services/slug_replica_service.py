"""The region's slug reservation replica, written by the control silo's outbox."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Executable, Table, bindparam, delete
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
_REPLICA_FIELDS = ("slug", "organization_id", "user_id", "region_name", "reservation_type")
# Built once; a change only binds its values. Run on the session's connection, they skip the
# ORM's checks of written strings: ``_upsert`` checks its values itself.
_DELETE_BY_ID = delete(_REPLICAS).where(
    _REPLICAS.c.organization_slug_reservation_id == bindparam("reservation_id")
)
# A slug moves between reservations when organizations rename: the replica follows.
_DELETE_OTHER_HOLDER = delete(_REPLICAS).where(
    _REPLICAS.c.slug == bindparam("b_slug"),
    _REPLICAS.c.organization_slug_reservation_id != bindparam("reservation_id"),
)


def _replica_upsert(dialect: str) -> Executable:
    upsert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(_REPLICAS)
    return upsert.on_conflict_do_update(
        index_elements=[_REPLICAS.c.organization_slug_reservation_id],
        set_={name: upsert.excluded[name] for name in _REPLICA_FIELDS},
    )


_UPSERTS = {dialect: _replica_upsert(dialect) for dialect in ("postgresql", "sqlite")}


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
        transaction (a batch of the control silo's outbox messages). Idempotent, so not tied to
        the request log: a retried call applies the same changes again."""
        for change in changes:
            if isinstance(change, SlugReservation):
                validation.positive_id(change.id, "organization_slug_reservation_id")
        with UnitOfWork(self._sessions, idempotent=True) as uow:
            for change in changes:
                if isinstance(change, SlugReservation):
                    _upsert(uow.session, change)
                else:
                    uow.session.connection().execute(_DELETE_BY_ID, {"reservation_id": change})
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
    changed = {
        "slug": reservation.slug,
        "organization_id": reservation.organization_id,
        "user_id": reservation.user_id,
        "region_name": reservation.region_name,
        "reservation_type": reservation.reservation_type,
    }
    for name, value in changed.items():
        check_value(_REPLICAS.c[name], value)
    connection = session.connection()
    connection.execute(
        _DELETE_OTHER_HOLDER, {"b_slug": reservation.slug, "reservation_id": reservation.id}
    )
    connection.execute(
        _UPSERTS[session.get_bind().dialect.name],
        {"organization_slug_reservation_id": reservation.id, **changed},
    )
