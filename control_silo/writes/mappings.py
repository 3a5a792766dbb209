"""Organization and membership mappings as the regions' outboxes report them."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import (
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
    OrganizationSlugReservationRow,
)
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists
from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMappingUpdate,
)

log = logging.getLogger("silo.control")


def _reserved_for(session: Session, update: OrganizationMappingUpdate) -> bool:
    return (
        session.scalars(
            select(OrganizationSlugReservationRow.id).where(
                OrganizationSlugReservationRow.organization_id == update.organization_id,
                OrganizationSlugReservationRow.slug == update.slug,
                OrganizationSlugReservationRow.region_name == update.region_name,
            )
        ).first()
        is not None
    )


def apply_mapping(uow: UnitOfWork, update: OrganizationMappingUpdate) -> bool:
    """Writes the organization's mapping, verified, unless it is newer or (as Sentry checks) no
    reservation of the organization holds its slug in its region; tells whether it did.

    :raises AlreadyExists: another organization's mapping holds the slug (field ``slug``).
    """
    session = uow.session
    if not _reserved_for(session, update):
        log.warning(
            "skipped the mapping of organization %s: no reservation of %r in %r",
            update.organization_id,
            update.slug,
            update.region_name,
        )
        return False
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
        uow.flush()
    except IntegrityError:
        raise AlreadyExists(
            f"another organization holds slug {update.slug!r}", field="slug"
        ) from None
    return True


def _member_mapping(
    session: Session, organization_id: int, member_id: int
) -> OrganizationMemberMappingRow | None:
    return session.scalars(
        select(OrganizationMemberMappingRow).where(
            OrganizationMemberMappingRow.organization_id == organization_id,
            OrganizationMemberMappingRow.organizationmember_id == member_id,
        )
    ).first()


def apply_member_mapping(uow: UnitOfWork, update: MemberMappingUpdate) -> bool:
    """Writes the membership's mapping unless it is newer; tells whether it did."""
    session = uow.session
    row = _member_mapping(session, update.organization_id, update.organizationmember_id)
    if row is not None and row.version >= update.version:
        return False
    if row is None:
        row = OrganizationMemberMappingRow(
            organization_id=update.organization_id,
            organizationmember_id=update.organizationmember_id,
        )
        session.add(row)
    row.user_id = update.user_id
    row.email = update.email or None
    row.role = update.role
    row.inviter_id = update.inviter_id
    row.version = update.version
    uow.flush()
    return True


def delete_member_mapping(
    uow: UnitOfWork, organization_id: int, organizationmember_id: int, version: int
) -> bool:
    """Deletes the membership's mapping unless it is newer than ``version``; tells whether it
    did."""
    row = _member_mapping(uow.session, organization_id, organizationmember_id)
    if row is None or row.version > version:
        return False
    uow.session.delete(row)
    uow.flush()
    return True
