"""Importing installation-wide configuration (config and global scopes): permissions, roles and
who holds them. An existing role is kept, or replaced with ``--overwrite-configs``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from control_silo.db.models import UserPermissionRow, UserRoleRow, UserRoleUserRow
from shared.db.bulk import batches
from shared.db.types import utcnow
from shared.relocation.chunks import ChunkRow, MappedRow, MappingKind
from shared.relocation.fields import RowFields
from shared.relocation.models import USER
from shared.relocation.writer import ImportContext

USERPERMISSION = "sentry.userpermission"
USERROLE = "sentry.userrole"
USERROLEUSER = "sentry.userroleuser"


def _held_pairs(
    context: ImportContext, model: Any, left: Any, right: Any, users: set[int]
) -> dict[tuple[int, Any], int]:
    held: dict[tuple[int, Any], int] = {}
    for batch in batches(sorted(users)):
        query = select(left, right, model.id).where(left.in_(batch))
        held.update(((a, b), row_id) for a, b, row_id in context.uow.session.execute(query))
    return held


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
    held = _held_pairs(
        context,
        UserPermissionRow,
        UserPermissionRow.user_id,
        UserPermissionRow.permission,
        {value["user_id"] for value in values},
    )
    return _insert_pairs(
        context,
        UserPermissionRow,
        rows=rows,
        values=values,
        held=held,
        key_names=("user_id", "permission"),
    )


def _insert_pairs(
    context: ImportContext,
    model: Any,
    *,
    rows: list[ChunkRow],
    values: list[dict[str, Any]],
    held: dict[tuple[int, Any], int],
    key_names: tuple[str, str],
) -> list[MappedRow]:
    outcomes: list[MappedRow] = []
    for row, value in zip(rows, values, strict=True):
        key = (value[key_names[0]], value[key_names[1]])
        if key in held:
            outcomes.append(MappedRow(row.pk, held[key], MappingKind.EXISTING))
            continue
        new_id = context.uow.session.scalar(insert(model).returning(model.id), value)
        held[key] = int(new_id or 0)
        outcomes.append(MappedRow(row.pk, held[key], MappingKind.INSERTED))
    return outcomes


def import_roles(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.userrole``: a role of the same name is kept (EXISTING), or with
    ``overwrite_configs`` given the file's permissions and dates (OVERWRITE)."""
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
        elif context.header.overwrite_configs:
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
    held = _held_pairs(
        context,
        UserRoleUserRow,
        UserRoleUserRow.user_id,
        UserRoleUserRow.role_id,
        {value["user_id"] for value in values},
    )
    return _insert_pairs(
        context,
        UserRoleUserRow,
        rows=rows,
        values=values,
        held=held,
        key_names=("user_id", "role_id"),
    )
