"""Organization and membership mappings as the regions' outboxes report them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import OrganizationMappingRow, OrganizationMemberMappingRow
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists
from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMappingUpdate,
)


def apply_mapping(uow: UnitOfWork, update: OrganizationMappingUpdate) -> bool:
    """Writes the organization's mapping, verified, unless it is newer; tells whether it did.

    :raises AlreadyExists: another organization's mapping holds the slug (field ``slug``).
    """
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
