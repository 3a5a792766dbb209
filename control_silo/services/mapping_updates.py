"""How the control silo applies each kind of region outbox message, one code path per kind: the
single-message RPCs (Upsert, Delete, UpsertMember, DeleteMember) and the batch delivery
(DeliverOutboxBatch) both call these, in the caller's unit of work."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import OrganizationMemberMappingRow
from control_silo.writes import mappings, reservations
from shared import slugs, validation
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists, InvalidArgument
from shared.services.organization.model import MAX_ORGANIZATION_NAME_LENGTH
from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMappingUpdate,
)
from shared.services.region_directory import RegionDirectory
from shared.services.region_outbox.model import RegionOutboxMessage


def check_mapping_update(regions: RegionDirectory, update: OrganizationMappingUpdate) -> None:
    """Raises ``InvalidArgument`` for a bad id, slug, name or region."""
    validation.positive_id(update.organization_id, "organization_id")
    slugs.organization_slug(update.slug)
    validation.text(update.name, "name", max_length=MAX_ORGANIZATION_NAME_LENGTH)
    regions.require(update.region_name)


def upsert_mapping(
    uow: UnitOfWork, regions: RegionDirectory, update: OrganizationMappingUpdate
) -> bool:
    """Checks and records a region's state of an organization; False when there was nothing to
    write (a newer version, or no reservation holds the slug in the region).

    :raises InvalidArgument: a bad id, slug, name or region.
    :raises AlreadyExists: another organization holds the slug (field ``slug``).
    """
    check_mapping_update(regions, update)
    return mappings.apply_mapping(uow, update)


def remove_organization(uow: UnitOfWork, organization_id: int) -> None:
    """Removes an organization's mapping, memberships and reservations (no-op if absent)."""
    reservations.release_organization(uow, organization_id)


def upsert_member_mapping(
    uow: UnitOfWork, update: MemberMappingUpdate, *, savepoint: bool = True
) -> bool:
    """Checks and records a membership; False when a newer version is recorded.

    :param savepoint: write in a savepoint, so a conflict leaves the transaction usable; without
        it a conflict raises ``IntegrityError`` and the caller must roll back.
    :raises InvalidArgument: a bad organization or member id.
    :raises AlreadyExists: another membership of the organization holds the user or the email
        (field ``user_id`` or ``email``); nothing of this update is left written.
    """
    validation.positive_id(update.organization_id, "organization_id")
    validation.positive_id(update.organizationmember_id, "organizationmember_id")
    session = uow.session
    if not savepoint:
        return mappings.apply_member_mapping(uow, update)
    try:
        with session.begin_nested():
            return mappings.apply_member_mapping(uow, update)
    except IntegrityError:
        field = "user_id" if _user_taken(session, update) else "email"
        raise AlreadyExists(
            f"another member of organization {update.organization_id} has this {field}",
            field=field,
        ) from None


def remove_member_mapping(
    uow: UnitOfWork, organization_id: int, organizationmember_id: int, version: int
) -> bool:
    """Removes a membership's mapping; False when a newer version is recorded."""
    return mappings.delete_member_mapping(uow, organization_id, organizationmember_id, version)


def apply_message(
    uow: UnitOfWork,
    regions: RegionDirectory,
    message: RegionOutboxMessage,
    *,
    savepoint: bool = True,
) -> bool:
    """Applies one region outbox message by its kind; False when there was nothing to write.

    :param savepoint: as for ``upsert_member_mapping``; without it, any error leaves the
        transaction to be rolled back.
    :raises InvalidArgument: the message names no change, or carries bad values.
    :raises AlreadyExists: a slug, user or email another organization or member holds.
    """
    changes = [
        change
        for change in (
            message.organization,
            message.organization_removed,
            message.member,
            message.member_removed,
        )
        if change is not None
    ]
    if len(changes) != 1:
        raise InvalidArgument(
            f"a message must name one change, not {len(changes)}", field="messages"
        )
    if message.organization is not None:
        return upsert_mapping(uow, regions, message.organization)
    if message.organization_removed is not None:
        remove_organization(uow, message.organization_removed.organization_id)
        return True
    if message.member is not None:
        return upsert_member_mapping(uow, message.member, savepoint=savepoint)
    assert message.member_removed is not None  # noqa: S101 - one change is set, checked above
    removal = message.member_removed
    return remove_member_mapping(
        uow, removal.organization_id, removal.organizationmember_id, removal.version
    )


def _user_taken(session: Session, update: MemberMappingUpdate) -> bool:
    if update.user_id is None:
        return False
    other = session.scalar(
        select(OrganizationMemberMappingRow.id).where(
            OrganizationMemberMappingRow.organization_id == update.organization_id,
            OrganizationMemberMappingRow.user_id == update.user_id,
            OrganizationMemberMappingRow.organizationmember_id != update.organizationmember_id,
        )
    )
    return other is not None
