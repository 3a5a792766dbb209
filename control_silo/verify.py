"""The control silo's side of `silo verify`: its directory read whole, and repaired with the same
write functions (and outbox messages) that provisioning and renames use."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from control_silo.db.models import (
    ControlOutboxRow,
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
    OrganizationSlugReservationRow,
)
from control_silo.writes.reservations import (
    release_organization,
    rename_organization_slug,
    reserve_slugs,
)
from shared.db.engine import make_engine
from shared.db.unit_of_work import UnitOfWork
from shared.outbox.writer import OutboxWriter
from shared.verify.model import ControlSnapshot, MappingRecord, MemberRecord, ReservationRecord


class DatabaseControlSide:
    """Reads and repairs the control silo's database."""

    def __init__(self, database_url: str) -> None:
        self._engine = make_engine(database_url)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._outbox = OutboxWriter(ControlOutboxRow, per_region=True)

    def snapshot(self) -> ControlSnapshot:
        """Every mapping, member mapping and reservation, read in one transaction."""
        with UnitOfWork(self._sessions, read_only=True) as uow:
            session = uow.session
            mappings = [
                MappingRecord(
                    organization_id=row.organization_id,
                    slug=row.slug,
                    name=row.name,
                    status=row.status,
                    region_name=row.region_name,
                    verified=row.verified,
                    date_created=row.date_created,
                )
                for row in session.scalars(select(OrganizationMappingRow))
            ]
            members = [
                MemberRecord(
                    id=row.organizationmember_id,
                    organization_id=row.organization_id,
                    user_id=row.user_id,
                    email=row.email,
                    role=row.role,
                    inviter_id=row.inviter_id,
                )
                for row in session.scalars(select(OrganizationMemberMappingRow))
            ]
            reservations = [
                ReservationRecord(
                    organization_id=row.organization_id,
                    slug=row.slug,
                    region_name=row.region_name,
                    reservation_type=row.reservation_type,
                    date_added=row.date_added,
                )
                for row in session.scalars(select(OrganizationSlugReservationRow))
            ]
        return ControlSnapshot(mappings, members, reservations)

    def _writing(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, outbox=self._outbox)

    def release(self, organization_id: int) -> None:
        """Releases the organization's reservations, mapping and member mappings."""
        with self._writing() as uow:
            release_organization(uow, organization_id)
            uow.commit()

    def reserve(self, organization_id: int, slug: str, region_name: str) -> None:
        """Reserves ``slug`` for the organization in its region.

        :raises AlreadyExists: the slug is reserved for another organization.
        """
        with self._writing() as uow:
            reserve_slugs(uow, region_name, {organization_id: slug})
            uow.commit()

    def move_reservation(self, organization_id: int, slug: str, region_name: str) -> None:
        """Moves the organization's primary reservation (and its mapping's slug) to ``slug``.

        :raises AlreadyExists: the slug is reserved for another organization.
        """
        with self._writing() as uow:
            rename_organization_slug(uow, organization_id, slug, region_name)
            uow.commit()

    def close(self) -> None:
        """Closes the database connections."""
        self._engine.dispose()


def open_control_side(database_url: str) -> DatabaseControlSide:
    """The `silo.verify` entry point `control`."""
    return DatabaseControlSide(database_url)
