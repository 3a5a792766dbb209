"""Organization and membership mappings, written by region outboxes and read by everyone."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import (
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
    OrganizationSlugReservationRow,
)
from control_silo.outbox.messages import reservation_changed
from shared import slugs, validation
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists, NotFound
from shared.outbox.writer import OutboxWriter
from shared.services.organization.model import MAX_ORGANIZATION_NAME_LENGTH
from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMapping,
    OrganizationMappingUpdate,
)
from shared.services.organization_mapping.service import (
    OrganizationMappingService,
    OrganizationMemberMappingService,
)
from shared.services.region_directory import RegionDirectory


def to_mapping(row: OrganizationMappingRow) -> OrganizationMapping:
    """The domain mapping of a row."""
    return OrganizationMapping(
        organization_id=row.organization_id,
        slug=row.slug,
        name=row.name,
        region_name=row.region_name,
        status=row.status,
        verified=row.verified,
        date_created=row.date_created,
    )


class DatabaseOrganizationMappingService(OrganizationMappingService):
    """Mappings in the control database."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        regions: RegionDirectory,
        outbox: OutboxWriter | None = None,
    ) -> None:
        self._sessions = sessions
        self._regions = regions
        self._outbox = outbox

    def get(self, *, organization_id: int) -> OrganizationMapping:
        with UnitOfWork(self._sessions, read_only=True) as uow:
            row = uow.session.scalars(
                select(OrganizationMappingRow).where(
                    OrganizationMappingRow.organization_id == organization_id
                )
            ).first()
            if row is None:
                raise NotFound(f"no organization has id {organization_id}", field="organization_id")
            return to_mapping(row)

    def get_many(self, *, organization_ids: Sequence[int]) -> list[OrganizationMapping]:
        ids = validation.bounded_list(organization_ids, "organization_ids")
        with UnitOfWork(self._sessions, read_only=True) as uow:
            rows = uow.session.scalars(
                select(OrganizationMappingRow)
                .where(OrganizationMappingRow.organization_id.in_(set(ids)))
                .order_by(OrganizationMappingRow.organization_id)
            )
            return [to_mapping(row) for row in rows]

    def get_by_slug(self, *, slug: str) -> OrganizationMapping:
        with UnitOfWork(self._sessions, read_only=True) as uow:
            row = uow.session.scalars(
                select(OrganizationMappingRow).where(OrganizationMappingRow.slug == slug)
            ).first()
            if row is None:
                raise NotFound(f"no organization has slug {slug!r}", field="slug")
            return to_mapping(row)

    def upsert(self, *, update: OrganizationMappingUpdate) -> bool:
        validation.positive_id(update.organization_id, "organization_id")
        slugs.organization_slug(update.slug)
        validation.text(update.name, "name", max_length=MAX_ORGANIZATION_NAME_LENGTH)
        self._regions.require(update.region_name)
        with UnitOfWork(self._sessions) as uow:
            session = uow.session
            row = session.scalars(
                select(OrganizationMappingRow).where(
                    OrganizationMappingRow.organization_id == update.organization_id
                )
            ).first()
            if row is not None and row.version >= update.version:
                return False
            if row is None:
                row = OrganizationMappingRow(organization_id=update.organization_id)
                session.add(row)
            row.slug = update.slug
            row.name = update.name
            row.region_name = update.region_name
            row.status = update.status
            row.version = update.version
            row.verified = True
            try:
                uow.commit()
            except IntegrityError:
                raise AlreadyExists(
                    f"another organization holds slug {update.slug!r}", field="slug"
                ) from None
        return True

    def delete(self, *, organization_id: int) -> None:
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            reservations = uow.session.execute(
                select(
                    OrganizationSlugReservationRow.id, OrganizationSlugReservationRow.region_name
                ).where(OrganizationSlugReservationRow.organization_id == organization_id)
            ).all()
            for reservation_id, region_name in reservations:
                reservation_changed(uow, reservation_id, organization_id, region_name)
            for model in (
                OrganizationMappingRow,
                OrganizationMemberMappingRow,
                OrganizationSlugReservationRow,
            ):
                uow.session.execute(delete(model).where(model.organization_id == organization_id))
            uow.commit()


class DatabaseOrganizationMemberMappingService(OrganizationMemberMappingService):
    """Membership mappings in the control database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @staticmethod
    def _find(
        session: Session, organization_id: int, member_id: int
    ) -> OrganizationMemberMappingRow | None:
        return session.scalars(
            select(OrganizationMemberMappingRow).where(
                OrganizationMemberMappingRow.organization_id == organization_id,
                OrganizationMemberMappingRow.organizationmember_id == member_id,
            )
        ).first()

    def upsert_member(self, *, update: MemberMappingUpdate) -> bool:
        validation.positive_id(update.organization_id, "organization_id")
        validation.positive_id(update.organizationmember_id, "organizationmember_id")
        with UnitOfWork(self._sessions) as uow:
            row = self._find(uow.session, update.organization_id, update.organizationmember_id)
            if row is not None and row.version >= update.version:
                return False
            if row is None:
                row = OrganizationMemberMappingRow(
                    organization_id=update.organization_id,
                    organizationmember_id=update.organizationmember_id,
                )
                uow.session.add(row)
            row.user_id = update.user_id
            row.email = update.email or None
            row.role = update.role
            row.inviter_id = update.inviter_id
            row.version = update.version
            uow.commit()
        return True

    def delete_member(
        self, *, organization_id: int, organizationmember_id: int, version: int
    ) -> bool:
        with UnitOfWork(self._sessions) as uow:
            row = self._find(uow.session, organization_id, organizationmember_id)
            if row is None or row.version > version:
                return False
            uow.session.delete(row)
            uow.commit()
        return True
