"""Delivers region outbox messages to the control silo: the current state of the organization or
membership is read at delivery time, so a coalesced message always carries the newest state."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from region_silo.db.models import OrganizationMemberRow, OrganizationRow
from region_silo.outbox.messages import CARRIED
from shared.outbox.categories import OutboxCategory
from shared.outbox.drainer import OutboxRecord
from shared.outbox.handlers import HandlerTable
from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMappingUpdate,
)
from shared.services.organization_mapping.service import (
    OrganizationMappingService,
    OrganizationMemberMappingService,
)


class ControlDelivery:
    """The region drainer's ``deliver``: organization and membership changes to the control silo."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        region_name: str,
        mappings: OrganizationMappingService,
        members: OrganizationMemberMappingService,
    ) -> None:
        self._sessions = sessions
        self._region = region_name
        self._mappings = mappings
        self._members = members

    def __call__(self, record: OutboxRecord) -> None:
        HANDLERS.deliver(self, record)

    def _organization(self, record: OutboxRecord) -> None:
        with self._sessions() as session:
            row = session.get(OrganizationRow, record.object_identifier)
            update = (
                OrganizationMappingUpdate(
                    organization_id=row.id,
                    slug=row.slug,
                    name=row.name,
                    region_name=self._region,
                    status=row.status,
                    version=record.id,
                )
                if row is not None
                else None
            )
        if update is None:
            self._mappings.delete(organization_id=record.object_identifier)
        else:
            self._mappings.upsert(update=update)

    def _member(self, record: OutboxRecord) -> None:
        organization_id = int((record.payload or {})["organization_id"])
        with self._sessions() as session:
            row = session.get(OrganizationMemberRow, record.object_identifier)
            update = (
                MemberMappingUpdate(
                    organization_id=row.organization_id,
                    organizationmember_id=row.id,
                    user_id=row.user_id,
                    email=row.email or "",
                    role=row.role,
                    inviter_id=row.inviter_id,
                    version=record.id,
                )
                if row is not None
                else None
            )
        if update is None:
            self._members.delete_member(
                organization_id=organization_id,
                organizationmember_id=record.object_identifier,
                version=record.id,
            )
        else:
            self._members.upsert_member(update=update)


HANDLERS: HandlerTable[ControlDelivery] = HandlerTable(
    "region",
    carries=CARRIED,
    handlers=[
        (OutboxCategory.ORGANIZATION_UPDATE, ControlDelivery._organization),
        (OutboxCategory.ORGANIZATION_MEMBER_UPDATE, ControlDelivery._member),
    ],
)
