"""Organization and membership mappings as the regions' outboxes report them."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Connection, Executable, Table, bindparam, insert, select
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


_RESERVED_FOR = (
    select(OrganizationSlugReservationRow.id)
    .where(
        OrganizationSlugReservationRow.organization_id == bindparam("organization_id"),
        OrganizationSlugReservationRow.slug == bindparam("slug"),
        OrganizationSlugReservationRow.region_name == bindparam("region_name"),
    )
    .limit(1)
)
# The statements below are built once; a write only binds its values. Core statements run on
# the session's connection skip the ORM's checks of written strings: ``checked`` does them.
_UPDATE_OLDER_MAPPING = (
    sa_update(_MAPPINGS)
    .where(
        _MAPPINGS.c.organization_id == bindparam("b_organization_id"),
        _MAPPINGS.c.version < bindparam("b_version"),
    )
    .returning(_MAPPINGS.c.id)
)
_MAPPING_OF = select(_MAPPINGS.c.id).where(
    _MAPPINGS.c.organization_id == bindparam("organization_id")
)
_INSERT_MAPPING = insert(_MAPPINGS)
_MEMBER_FIELDS = ("user_id", "email", "role", "inviter_id", "version")


def _member_upsert(dialect: str) -> Executable:
    """INSERT of a membership's mapping, ON CONFLICT DO UPDATE of an older version, returning
    its id when it wrote."""
    members = _MEMBER_MAPPINGS
    upsert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(members)
    return upsert.on_conflict_do_update(
        index_elements=[members.c.organization_id, members.c.organizationmember_id],
        set_={name: upsert.excluded[name] for name in _MEMBER_FIELDS},
        where=members.c.version < upsert.excluded.version,
    ).returning(members.c.id)


_MEMBER_UPSERTS = {dialect: _member_upsert(dialect) for dialect in ("postgresql", "sqlite")}


def _reserved_for(connection: Connection, update: OrganizationMappingUpdate) -> bool:
    found = connection.execute(
        _RESERVED_FOR,
        {
            "organization_id": update.organization_id,
            "slug": update.slug,
            "region_name": update.region_name,
        },
    ).first()
    return found is not None


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
    connection = uow.session.connection()
    if not _reserved_for(connection, update):
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
    checked(_MAPPINGS, values)
    try:
        updated = connection.execute(
            _UPDATE_OLDER_MAPPING,
            {**values, "b_organization_id": update.organization_id, "b_version": update.version},
        ).first()
        if updated is not None:
            return True
        exists = connection.scalar(_MAPPING_OF, {"organization_id": update.organization_id})
        if exists is not None:
            return False
        connection.execute(_INSERT_MAPPING, {"organization_id": update.organization_id, **values})
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
    changed = {
        "user_id": update.user_id,
        "email": update.email or None,
        "role": update.role,
        "inviter_id": update.inviter_id,
        "version": update.version,
    }
    checked(_MEMBER_MAPPINGS, changed)
    session = uow.session
    upsert = _MEMBER_UPSERTS[session.get_bind().dialect.name]
    written = session.connection().execute(
        upsert,
        {
            "organization_id": update.organization_id,
            "organizationmember_id": update.organizationmember_id,
            **changed,
        },
    )
    return written.first() is not None


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
