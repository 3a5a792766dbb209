"""Importing installation-wide configuration (config and global scopes): permissions, roles and
who holds them. An existing role is kept, or replaced with ``--overwrite-configs``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from control_silo.db.models import UserPermissionRow, UserRoleRow, UserRoleUserRow
from shared.db.types import utcnow
from shared.relocation.chunks import ChunkRow, MappedRow, MappingKind
from shared.relocation.fields import RowFields
from shared.relocation.inserts import insert_by_key
from shared.relocation.models import USER
from shared.relocation.scopes import ImportScope
from shared.relocation.writer import ImportContext

USERPERMISSION = "sentry.userpermission"
USERROLE = "sentry.userrole"
USERROLEUSER = "sentry.userroleuser"


def import_permissions(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.userpermission``; a permission the user has is kept (EXISTING)."""
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(USERPERMISSION, row)
        values.append(
            {
                "user_id": context.key(fields, "user", USER),
                "permission": fields.text("permission", max_length=32),
            }
        )
    return insert_by_key(context, UserPermissionRow, rows, values, ("user_id", "permission"))


def import_roles(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.userrole``: a role of the same name is kept (EXISTING), or with
    ``overwrite_configs`` or in a full restore (global scope: the backup's roles are the ones to
    have, as Sentry's restore empties the installation first) given the file's permissions and
    dates (OVERWRITE)."""
    session = context.uow.session
    outcomes: list[MappedRow] = []
    for row in rows:
        fields = RowFields(USERROLE, row)
        value = {
            "name": fields.text("name", max_length=32),
            "permissions": fields.string_list("permissions"),
            "date_added": fields.time("date_added", default=utcnow()),
            "date_updated": fields.time("date_updated", default=utcnow()),
        }
        existing = session.scalar(select(UserRoleRow.id).where(UserRoleRow.name == value["name"]))
        if existing is None:
            new_id = session.scalar(insert(UserRoleRow).returning(UserRoleRow.id), value)
            outcomes.append(MappedRow(row.pk, int(new_id or 0), MappingKind.INSERTED))
        elif context.header.overwrite_configs or context.header.scope is ImportScope.GLOBAL:
            session.execute(update(UserRoleRow).where(UserRoleRow.id == existing).values(value))
            outcomes.append(MappedRow(row.pk, existing, MappingKind.OVERWRITE))
        else:
            outcomes.append(MappedRow(row.pk, existing, MappingKind.EXISTING))
    return outcomes


def import_role_holders(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.userroleuser``; a role the user holds already is kept."""
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(USERROLEUSER, row)
        values.append(
            {
                "user_id": context.key(fields, "user", USER),
                "role_id": context.key(fields, "role", USERROLE),
                "date_added": fields.time("date_added", default=utcnow()),
                "date_updated": fields.time("date_updated", default=utcnow()),
            }
        )
    return insert_by_key(context, UserRoleUserRow, rows, values, ("user_id", "role_id"))
