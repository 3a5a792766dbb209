"""Organization and membership mappings, written by region outboxes and read by everyone."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import OrganizationMappingRow, OrganizationMemberMappingRow
from control_silo.services.rows import to_mapping
from control_silo.writes import mappings, reservations
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
            if not mappings.apply_mapping(uow, update):
                return False
            uow.commit()
        return True

    def delete(self, *, organization_id: int) -> None:
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            reservations.release_organization(uow, organization_id)
            uow.commit()


class DatabaseOrganizationMemberMappingService(OrganizationMemberMappingService):
    """Membership mappings in the control database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def upsert_member(self, *, update: MemberMappingUpdate) -> bool:
        validation.positive_id(update.organization_id, "organization_id")
        validation.positive_id(update.organizationmember_id, "organizationmember_id")
        try:
            with UnitOfWork(self._sessions) as uow:
                if not mappings.apply_member_mapping(uow, update):
                    return False
                uow.commit()
        except IntegrityError:
            # Another membership of the organization holds this user or email.
            field = "user_id" if self._user_taken(update) else "email"
            raise AlreadyExists(
                f"another member of organization {update.organization_id} has this {field}",
                field=field,
            ) from None
        return True

    def _user_taken(self, update: MemberMappingUpdate) -> bool:
        if update.user_id is None:
            return False
        with self._sessions() as session:
            other = session.scalar(
                select(OrganizationMemberMappingRow.id).where(
                    OrganizationMemberMappingRow.organization_id == update.organization_id,
                    OrganizationMemberMappingRow.user_id == update.user_id,
                    OrganizationMemberMappingRow.organizationmember_id
                    != update.organizationmember_id,
                )
            )
            return other is not None

    def delete_member(
        self, *, organization_id: int, organizationmember_id: int, version: int
    ) -> bool:
        with UnitOfWork(self._sessions) as uow:
            if not mappings.delete_member_mapping(
                uow, organization_id, organizationmember_id, version
            ):
                return False
            uow.commit()
        return True
