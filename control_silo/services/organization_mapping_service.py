"""Organization and membership mappings, written by region outboxes and read by everyone."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import OrganizationMappingRow
from control_silo.services import mapping_updates
from control_silo.services.rows import to_mapping
from shared import validation
from shared.db.unit_of_work import UnitOfWork
from shared.errors import NotFound
from shared.outbox.writer import OutboxWriter
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
        with UnitOfWork(self._sessions) as uow:
            if not mapping_updates.upsert_mapping(uow, self._regions, update):
                return False
            uow.commit()
        return True

    def delete(self, *, organization_id: int) -> None:
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            mapping_updates.remove_organization(uow, organization_id)
            uow.commit()


class DatabaseOrganizationMemberMappingService(OrganizationMemberMappingService):
    """Membership mappings in the control database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def upsert_member(self, *, update: MemberMappingUpdate) -> bool:
        with UnitOfWork(self._sessions) as uow:
            if not mapping_updates.upsert_member_mapping(uow, update):
                return False
            uow.commit()
        return True

    def delete_member(
        self, *, organization_id: int, organizationmember_id: int, version: int
    ) -> bool:
        with UnitOfWork(self._sessions) as uow:
            if not mapping_updates.remove_member_mapping(
                uow, organization_id, organizationmember_id, version
            ):
                return False
            uow.commit()
        return True
