"""Organization and membership mappings as the regions' outboxes report them."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy import update as sa_update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import (
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
    OrganizationSlugReservationRow,
)
from shared.db.checks import check_value
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists
from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMappingUpdate,
)

log = logging.getLogger("silo.control")

_MAPPINGS = cast(Table, OrganizationMappingRow.__table__)
_MEMBER_MAPPINGS = cast(Table, OrganizationMemberMappingRow.__table__)


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


def checked(table: Table, values: Mapping[str, Any]) -> None:
    """Checks the values a Core statement writes against their columns, as every ORM write is
    (``shared.db.checks``): ``InvalidArgument`` naming the column."""
    for name, value in values.items():
        check_value(table.c[name], value)


def apply_mapping(uow: UnitOfWork, update: OrganizationMappingUpdate) -> bool:
    """Writes the organization's mapping, verified, unless it is newer or (as Sentry checks) no
    reservation of the organization holds its slug in its region; tells whether it did. One
    UPDATE of an older row (the provisioned mapping), else an INSERT when there is none.

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
    values = {
        "slug": update.slug,
        "name": update.name,
        "region_name": update.region_name,
        "status": update.status,
        "version": update.version,
        "verified": True,
    }
    mapping = _MAPPINGS
    checked(mapping, values)
    try:
        updated = session.execute(
            sa_update(mapping)
            .where(
                mapping.c.organization_id == update.organization_id,
                mapping.c.version < update.version,
            )
            .values(**values)
            .returning(mapping.c.id)
        ).first()
        if updated is not None:
            return True
        exists = session.scalar(
            select(mapping.c.id).where(mapping.c.organization_id == update.organization_id)
        )
        if exists is not None:
            return False
        session.execute(insert(mapping).values(organization_id=update.organization_id, **values))
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
    """Writes the membership's mapping unless it is newer; tells whether it did. One INSERT ...
    ON CONFLICT DO UPDATE of an older row (SQLite and PostgreSQL).

    :raises IntegrityError: another membership of the organization holds the user or email.
    """
    session = uow.session
    members = _MEMBER_MAPPINGS
    changed = {
        "user_id": update.user_id,
        "email": update.email or None,
        "role": update.role,
        "inviter_id": update.inviter_id,
        "version": update.version,
    }
    checked(members, changed)
    dialect = session.get_bind().dialect.name
    upsert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(members).values(
        organization_id=update.organization_id,
        organizationmember_id=update.organizationmember_id,
        **changed,
    )
    statement = upsert.on_conflict_do_update(
        index_elements=[members.c.organization_id, members.c.organizationmember_id],
        set_={name: upsert.excluded[name] for name in changed},
        where=members.c.version < upsert.excluded.version,
    ).returning(members.c.id)
    return session.execute(statement).first() is not None


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
