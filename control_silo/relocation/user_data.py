"""Importing what hangs off users: the email table, useremails (re-verified outside full
restores, merged with the primary row) and user options (a global option kept once)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from control_silo.db.models import EmailRow, UserEmailRow, UserOptionRow
from shared.db.bulk import batches, insert_keyed
from shared.db.types import utcnow
from shared.folding import fold_case
from shared.relocation.chunks import ChunkRow, MappedRow, MappingKind
from shared.relocation.fields import RowFields
from shared.relocation.models import ORGANIZATION, PROJECT, USER
from shared.relocation.names import secure_token
from shared.relocation.scopes import ImportScope
from shared.relocation.writer import ImportContext

EMAIL = "sentry.email"
USEREMAIL = "sentry.useremail"
USEROPTION = "sentry.useroption"


def import_emails(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.email``: an address already known (in any case) is reused."""
    session = context.uow.session
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(EMAIL, row)
        values.append(
            {
                "email": fields.text("email", max_length=75),
                "date_added": fields.time("date_added", default=utcnow()),
            }
        )
    known: dict[str, int] = {}
    for batch in batches(sorted({fold_case(value["email"]) for value in values})):
        query = select(func.lower(EmailRow.email), EmailRow.id).where(
            func.lower(EmailRow.email).in_(batch)
        )
        known.update((address, email_id) for address, email_id in session.execute(query))
    fresh: dict[str, dict[str, Any]] = {}
    for value in values:
        if fold_case(value["email"]) not in known:
            fresh.setdefault(fold_case(value["email"]), value)
    known.update(
        insert_keyed(
            session,
            EmailRow,
            list(fresh.values()),
            lambda row: fold_case(row.email),
            EmailRow.email,
        )
    )
    return [
        MappedRow(
            row.pk,
            known[fold_case(value["email"])],
            MappingKind.INSERTED
            if fresh.pop(fold_case(value["email"]), None) is not None
            else MappingKind.EXISTING,
        )
        for row, value in zip(rows, values, strict=True)
    ]


def import_useremails(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.useremail``. Outside global imports each address is unverified
    with a fresh validation hash; a row the user already has (its primary email, created with the
    user) is updated in place instead of duplicated."""
    header = context.header
    session = context.uow.session
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(USEREMAIL, row)
        value: dict[str, Any] = {
            "user_id": context.key(fields, "user", USER),
            "email": fields.text("email", max_length=75),
            "validation_hash": fields.text("validation_hash", max_length=32, required=False),
            "date_hash_added": fields.time("date_hash_added", default=utcnow()),
            "is_verified": fields.boolean("is_verified", default=False),
        }
        if header.scope is not ImportScope.GLOBAL or not value["validation_hash"]:
            value.update(
                is_verified=False, validation_hash=secure_token(), date_hash_added=utcnow()
            )
        values.append(value)
    held: dict[tuple[int, str], int] = {}
    for batch in batches(sorted({value["user_id"] for value in values})):
        query = select(UserEmailRow.user_id, func.lower(UserEmailRow.email), UserEmailRow.id).where(
            UserEmailRow.user_id.in_(batch)
        )
        held.update(((user_id, email), row_id) for user_id, email, row_id in session.execute(query))
    fresh: dict[tuple[int, str], dict[str, Any]] = {}
    changed: dict[int, dict[str, Any]] = {}
    for value in values:
        key = (value["user_id"], fold_case(value["email"]))
        if key in held:
            changed[held[key]] = {**value, "id": held[key]}
        else:
            fresh[key] = value  # a later row for the same address replaces an earlier one
    for batch in batches(list(changed.values())):
        session.execute(update(UserEmailRow), batch)  # by primary key, many rows per statement
    held.update(
        insert_keyed(
            session,
            UserEmailRow,
            list(fresh.values()),
            lambda row: (row.user_id, fold_case(row.email)),
            UserEmailRow.user_id,
            UserEmailRow.email,
        )
    )
    return [
        MappedRow(row.pk, held[(value["user_id"], fold_case(value["email"]))], MappingKind.INSERTED)
        for row, value in zip(rows, values, strict=True)
    ]


def import_useroptions(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.useroption``; an option the user already has for the same key
    and scope (in the database or earlier in the file) is kept and the new one skipped."""
    session = context.uow.session
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(USEROPTION, row)
        values.append(
            {
                "user_id": context.key(fields, "user", USER),
                "project_id": context.optional_key(fields, "project_id", PROJECT),
                "organization_id": context.optional_key(fields, "organization_id", ORGANIZATION),
                "key": fields.text("key", max_length=64),
                "value": fields.json_text("value"),
            }
        )

    def scope_key(value: dict[str, Any]) -> tuple[int, int, int, str]:
        return (
            value["user_id"],
            value["project_id"] or 0,
            value["organization_id"] or 0,
            value["key"],
        )

    held: set[tuple[int, int, int, str]] = set()
    for batch in batches(sorted({value["user_id"] for value in values})):
        query = select(
            UserOptionRow.user_id,
            func.coalesce(UserOptionRow.project_id, 0),
            func.coalesce(UserOptionRow.organization_id, 0),
            UserOptionRow.key,
        ).where(UserOptionRow.user_id.in_(batch))
        held.update(tuple(found) for found in session.execute(query))  # type: ignore[misc]
    outcomes: list[tuple[ChunkRow, tuple[int, int, int, str] | None]] = []
    fresh: list[dict[str, Any]] = []
    for row, value in zip(rows, values, strict=True):
        key = scope_key(value)
        if key in held:
            outcomes.append((row, None))
            continue
        held.add(key)
        fresh.append(value)
        outcomes.append((row, key))
    ids = insert_keyed(
        session,
        UserOptionRow,
        fresh,
        lambda row: (row.user_id, row.project_id or 0, row.organization_id or 0, row.key),
        UserOptionRow.user_id,
        UserOptionRow.project_id,
        UserOptionRow.organization_id,
        UserOptionRow.key,
    )
    return [
        MappedRow(row.pk, ids[key], MappingKind.INSERTED)
        if key is not None
        else MappedRow(row.pk, 0, MappingKind.SKIPPED)
        for row, key in outcomes
    ]
