"""Delivers control outbox messages to regions, many per call: the current state of each user or
reservation is read at delivery time (one read transaction per batch), so a coalesced (or late)
message always carries the newest state, and each region gets its messages of a drain pass in
one DeliverOutboxBatch call, whose per-message results say which stay for a retry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Executable, Row, bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import OrganizationSlugReservationRow, UserRow
from control_silo.db.models.organization import TEMPORARY_RENAME_ALIAS
from control_silo.outbox.messages import CARRIED
from control_silo.services.renames import RenameFinisher
from shared.db.bulk import batches
from shared.outbox.categories import OutboxCategory
from shared.outbox.drainer import OutboxRecord
from shared.outbox.handlers import HandlerTable
from shared.outbox.writer import OutboxWriter
from shared.services.control_outbox.model import (
    ControlOutboxMessage,
    RegionUserInvalidation,
    RegionUserRemoval,
    RegionUserState,
    SlugReservationRemoval,
)
from shared.services.control_outbox.service import ControlOutboxService
from shared.services.region_directory import RegionDirectory
from shared.services.slug_replica.service import SlugReservation

_USERS = select(UserRow.id, UserRow.is_active, UserRow.email).where(
    UserRow.id.in_(bindparam("ids", expanding=True))
)
_RESERVATIONS = select(
    OrganizationSlugReservationRow.id,
    OrganizationSlugReservationRow.slug,
    OrganizationSlugReservationRow.organization_id,
    OrganizationSlugReservationRow.user_id,
    OrganizationSlugReservationRow.region_name,
    OrganizationSlugReservationRow.reservation_type,
).where(OrganizationSlugReservationRow.id.in_(bindparam("ids", expanding=True)))


def _rows_by_id(
    connection: Connection, query: Executable, ids: Sequence[int]
) -> dict[int, Row[Any]]:
    found: dict[int, Row[Any]] = {}
    for batch in batches(sorted(set(ids))):
        found.update((row.id, row) for row in connection.execute(query, {"ids": list(batch)}))
    return found


class _StateReader:
    """Turns records into the messages a region applies, reading the control silo's current
    rows in one session: one query per kind of row for the whole batch."""

    def __init__(self, session: Session, records: Sequence[OutboxRecord]) -> None:
        wanted: dict[OutboxCategory, list[int]] = {}
        for record in records:
            wanted.setdefault(record.category, []).append(record.object_identifier)
        connection = session.connection()
        self._users = _rows_by_id(connection, _USERS, wanted.get(OutboxCategory.USER_UPDATE, []))
        self._reservations = _rows_by_id(
            connection,
            _RESERVATIONS,
            wanted.get(OutboxCategory.ORGANIZATION_SLUG_RESERVATION_UPDATE, []),
        )

    def user_update(self, record: OutboxRecord) -> ControlOutboxMessage:
        user_id = record.object_identifier
        state = self._users.get(user_id)
        shard = record.shard.shard_identifier
        if state is None:
            return ControlOutboxMessage(shard, user_removed=RegionUserRemoval(user_id))
        return ControlOutboxMessage(
            shard,
            user=RegionUserState(user_id=user_id, is_active=state.is_active, email=state.email),
        )

    def auth_identity_update(self, record: OutboxRecord) -> ControlOutboxMessage:
        return ControlOutboxMessage(
            record.shard.shard_identifier,
            user_invalidated=RegionUserInvalidation(record.object_identifier),
        )

    def reservation_update(self, record: OutboxRecord) -> ControlOutboxMessage:
        shard = record.shard.shard_identifier
        row = self._reservations.get(record.object_identifier)
        if row is None:
            return ControlOutboxMessage(
                shard, reservation_removed=SlugReservationRemoval(record.object_identifier)
            )
        return ControlOutboxMessage(
            shard,
            reservation=SlugReservation(
                id=row.id,
                slug=row.slug,
                organization_id=row.organization_id,
                user_id=row.user_id,
                region_name=row.region_name,
                reservation_type=row.reservation_type,
            ),
        )


class RegionDelivery:
    """The control drainer's ``deliver``: user state, invalidations and slug reservations, each
    region's messages of a batch in one call to that region."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        regions: RegionDirectory,
        outbox: OutboxWriter | None = None,
    ) -> None:
        self._sessions = sessions
        self._regions = regions
        self._renames = RenameFinisher(sessions, regions, outbox)

    def messages(self, records: Sequence[OutboxRecord]) -> list[ControlOutboxMessage]:
        """The message each record stands for, from the control silo's current rows."""
        with self._sessions() as session:
            reader = _StateReader(session, records)
            return [HANDLERS.deliver(reader, record) for record in records]

    def __call__(self, records: Sequence[OutboxRecord]) -> Mapping[int, str]:
        by_region: dict[str, list[OutboxRecord]] = {}
        for record in records:
            by_region.setdefault(record.shard.region_name, []).append(record)
        messages = dict(zip((r.id for r in records), self.messages(records), strict=True))
        undelivered: dict[int, str] = {}
        for region, batch in by_region.items():
            try:
                undelivered.update(self._deliver_to(region, batch, messages))
            except Exception as error:  # this region is down: the others go on
                undelivered.update({r.id: f"{type(error).__name__}: {error}" for r in batch})
        return undelivered

    def deliver_one(self, record: OutboxRecord) -> None:
        """Delivers one message (a batch of one); raises when it was not delivered."""
        undelivered = self([record])
        if undelivered:
            raise RuntimeError(undelivered[record.id])

    def _deliver_to(
        self,
        region: str,
        records: list[OutboxRecord],
        messages: Mapping[int, ControlOutboxMessage],
    ) -> dict[int, str]:
        receiver = self._regions.service(ControlOutboxService, region)
        results = receiver.deliver_outbox_batch(messages=[messages[r.id] for r in records])
        if len(results) != len(records):
            raise RuntimeError(f"{len(records)} messages sent, {len(results)} results answered")
        undelivered: dict[int, str] = {}
        for record, result in zip(records, results, strict=True):
            if not result.outcome.delivered:
                undelivered[record.id] = result.error or result.outcome.name
                continue
            reservation = messages[record.id].reservation
            if reservation is not None and reservation.reservation_type == TEMPORARY_RENAME_ALIAS:
                # A rename the region has not confirmed yet (its caller gave up, or the region
                # was down): finish it now. A failure leaves the message for the next try.
                try:
                    self._renames.finish(reservation.organization_id)
                except Exception as error:
                    undelivered[record.id] = f"{type(error).__name__}: {error}"
        return undelivered


HANDLERS: HandlerTable[_StateReader, ControlOutboxMessage] = HandlerTable(
    "control",
    carries=CARRIED,
    handlers=[
        (OutboxCategory.USER_UPDATE, _StateReader.user_update),
        (OutboxCategory.AUTH_IDENTITY_UPDATE, _StateReader.auth_identity_update),
        (OutboxCategory.ORGANIZATION_SLUG_RESERVATION_UPDATE, _StateReader.reservation_update),
    ],
)
