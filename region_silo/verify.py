"""A region's side of `silo verify`: its organizations and members read whole, and repairs
written as the outbox messages a change of the organization or membership writes; the region's
drainer delivers them to the control silo like any other."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from region_silo.db.models import OrganizationMemberRow, OrganizationRow, RegionOutboxRow
from region_silo.outbox.messages import member_changed, organization_changed
from shared.db.engine import make_engine
from shared.db.unit_of_work import UnitOfWork
from shared.outbox.writer import OutboxWriter
from shared.verify.model import MemberRecord, OrganizationRecord, RegionSnapshot


class DatabaseRegionSide:
    """Reads one region's database and queues messages in its outbox."""

    def __init__(self, name: str, database_url: str) -> None:
        self.name = name
        self._engine = make_engine(database_url)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._outbox = OutboxWriter(RegionOutboxRow, per_region=False)

    def snapshot(self) -> RegionSnapshot:
        """Every organization and membership, read in one transaction."""
        with UnitOfWork(self._sessions, read_only=True) as uow:
            session = uow.session
            organizations = [
                OrganizationRecord(id=row.id, slug=row.slug, name=row.name, status=row.status)
                for row in session.scalars(select(OrganizationRow))
            ]
            members = [
                MemberRecord(
                    id=row.id,
                    organization_id=row.organization_id,
                    user_id=row.user_id,
                    email=row.email,
                    role=row.role,
                    inviter_id=row.inviter_id,
                )
                for row in session.scalars(select(OrganizationMemberRow))
            ]
        return RegionSnapshot(organizations, members)

    def resend_organizations(self, organization_ids: Sequence[int]) -> None:
        """Queues an ORGANIZATION_UPDATE for each organization (a deleted one's message makes
        the control silo release its mapping and reservations)."""
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            for organization_id in organization_ids:
                uow.add_outbox(organization_changed(organization_id))
            uow.commit()

    def resend_members(self, members: Sequence[tuple[int, int]]) -> None:
        """Queues an ORGANIZATION_MEMBER_UPDATE for each (organization id, member id)."""
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            for organization_id, member_id in members:
                uow.add_outbox(member_changed(organization_id, member_id))
            uow.commit()

    def close(self) -> None:
        """Closes the database connections."""
        self._engine.dispose()


def open_region_side(name: str, database_url: str) -> DatabaseRegionSide:
    """The `silo.verify` entry point `region`."""
    return DatabaseRegionSide(name, database_url)
