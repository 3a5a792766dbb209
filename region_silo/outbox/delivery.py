"""Delivers region outbox messages to the control silo, many per call: the current state of each
organization or membership is read at delivery time (one read transaction per batch), so a
coalesced message always carries the newest state, and the whole batch goes in one
DeliverOutboxBatch call, whose per-message results say which messages stay for a retry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Executable, Row, bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from region_silo.db.models import OrganizationMemberRow, OrganizationRow
from region_silo.outbox.messages import CARRIED
from shared.db.bulk import batches
from shared.outbox.categories import OutboxCategory
from shared.outbox.drainer import OutboxRecord
from shared.outbox.handlers import HandlerTable
from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMappingUpdate,
)
from shared.services.region_outbox.model import (
    MemberRemoval,
    OrganizationRemoval,
    RegionOutboxMessage,
)
from shared.services.region_outbox.service import RegionOutboxService

_ORGANIZATIONS = select(
    OrganizationRow.id, OrganizationRow.slug, OrganizationRow.name, OrganizationRow.status
).where(OrganizationRow.id.in_(bindparam("ids", expanding=True)))
_MEMBERS = select(
    OrganizationMemberRow.id,
    OrganizationMemberRow.organization_id,
    OrganizationMemberRow.user_id,
    OrganizationMemberRow.email,
    OrganizationMemberRow.role,
    OrganizationMemberRow.inviter_id,
).where(OrganizationMemberRow.id.in_(bindparam("ids", expanding=True)))


class _StateReader:
    """Turns records into the messages the control silo applies, reading the region's current
    rows in one session: one query per kind of row for the whole batch."""

    def __init__(self, session: Session, region_name: str, records: Sequence[OutboxRecord]) -> None:
        self.region_name = region_name
        wanted: dict[OutboxCategory, list[int]] = {}
        for record in records:
            wanted.setdefault(record.category, []).append(record.object_identifier)
        connection = session.connection()
        self._organizations = _by_id(
            connection, _ORGANIZATIONS, wanted.get(OutboxCategory.ORGANIZATION_UPDATE, [])
        )
        self._members = _by_id(
            connection, _MEMBERS, wanted.get(OutboxCategory.ORGANIZATION_MEMBER_UPDATE, [])
        )

    def organization(self, record: OutboxRecord) -> RegionOutboxMessage:
        shard = record.shard.shard_identifier
        row = self._organizations.get(record.object_identifier)
        if row is None:
            return RegionOutboxMessage(
                shard, organization_removed=OrganizationRemoval(record.object_identifier)
            )
        return RegionOutboxMessage(
            shard,
            organization=OrganizationMappingUpdate(
                organization_id=row.id,
                slug=row.slug,
                name=row.name,
                region_name=self.region_name,
                status=row.status,
                version=record.id,
            ),
        )

    def member(self, record: OutboxRecord) -> RegionOutboxMessage:
        shard = record.shard.shard_identifier
        row = self._members.get(record.object_identifier)
        if row is None:
            return RegionOutboxMessage(
                shard,
                member_removed=MemberRemoval(
                    organization_id=int((record.payload or {})["organization_id"]),
                    organizationmember_id=record.object_identifier,
                    version=record.id,
                ),
            )
        return RegionOutboxMessage(
            shard,
            member=MemberMappingUpdate(
                organization_id=row.organization_id,
                organizationmember_id=row.id,
                user_id=row.user_id,
                email=row.email or "",
                role=row.role,
                inviter_id=row.inviter_id,
                version=record.id,
            ),
        )


def _by_id(connection: Connection, query: Executable, ids: Sequence[int]) -> dict[int, Row[Any]]:
    found: dict[int, Row[Any]] = {}
    for batch in batches(sorted(set(ids))):
        found.update((row.id, row) for row in connection.execute(query, {"ids": list(batch)}))
    return found


class ControlDelivery:
    """The region drainer's ``deliver``: a batch of organization and membership changes to the
    control silo in one call."""

    def __init__(
        self, sessions: sessionmaker[Session], region_name: str, receiver: RegionOutboxService
    ) -> None:
        self._sessions = sessions
        self._region = region_name
        self._receiver = receiver

    def messages(self, records: Sequence[OutboxRecord]) -> list[RegionOutboxMessage]:
        """The message each record stands for, from the region's current rows."""
        with self._sessions() as session:
            reader = _StateReader(session, self._region, records)
            return [HANDLERS.deliver(reader, record) for record in records]

    def __call__(self, records: Sequence[OutboxRecord]) -> Mapping[int, str]:
        if not records:
            return {}
        results = self._receiver.deliver_outbox_batch(
            region_name=self._region, messages=self.messages(records)
        )
        if len(results) != len(records):
            raise RuntimeError(f"{len(records)} messages sent, {len(results)} results answered")
        return {
            record.id: result.error or result.outcome.name
            for record, result in zip(records, results, strict=True)
            if not result.outcome.delivered
        }


HANDLERS: HandlerTable[_StateReader, RegionOutboxMessage] = HandlerTable(
    "region",
    carries=CARRIED,
    handlers=[
        (OutboxCategory.ORGANIZATION_UPDATE, _StateReader.organization),
        (OutboxCategory.ORGANIZATION_MEMBER_UPDATE, _StateReader.member),
    ],
)
