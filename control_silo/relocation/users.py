"""Importing users: privileges stripped and accounts left to be claimed outside full restores,
taken usernames suffixed or merged, each new user with its primary email and claim token."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from control_silo.db.models import LostPasswordHashRow, UserRow
from control_silo.passwords import make_unusable_password
from control_silo.writes.emails import ensure_useremails
from shared.db.bulk import batches, insert_keyed, insert_rows
from shared.db.types import utcnow
from shared.folding import fold_case
from shared.relocation.chunks import ChunkRow, MappedRow, MappingKind
from shared.relocation.fields import RowFields
from shared.relocation.models import USER
from shared.relocation.names import free_name, secure_token
from shared.relocation.scopes import ImportScope
from shared.relocation.writer import ImportContext

MAX_USERNAME_LENGTH = 128


def user_values(fields: RowFields) -> dict[str, Any]:
    """The user's columns as the file gives them, before the scope's rules."""
    return {
        "password": fields.text("password", max_length=128),
        "last_login": fields.optional_time("last_login"),
        "username": fields.text("username", max_length=MAX_USERNAME_LENGTH),
        "name": fields.text("name", max_length=200, required=False),
        "email": fields.text("email", max_length=75, required=False),
        "is_staff": fields.boolean("is_staff", default=False),
        "is_active": fields.boolean("is_active", default=True),
        "is_superuser": fields.boolean("is_superuser", default=False),
        "is_managed": fields.boolean("is_managed", default=False),
        "is_sentry_app": fields.optional_boolean("is_sentry_app"),
        "is_password_expired": fields.boolean("is_password_expired", default=False),
        "is_unclaimed": fields.boolean("is_unclaimed", default=False),
        "last_password_change": fields.optional_time("last_password_change"),
        "flags": fields.integer("flags", default=0),
        "session_nonce": fields.optional_text("session_nonce", max_length=12),
        "date_joined": fields.time("date_joined", default=utcnow()),
        "last_active": fields.optional_time("last_active"),
        "avatar_type": fields.integer("avatar_type", default=0),
        "avatar_url": fields.optional_text("avatar_url", max_length=120),
    }


def apply_scope(values: dict[str, Any], scope: ImportScope) -> None:
    """Sentry's rules: privileges only survive config and global imports; outside a full restore
    (and for accounts never claimed) the password becomes unusable and the account claimable."""
    if scope not in (ImportScope.CONFIG, ImportScope.GLOBAL):
        values.update(is_staff=False, is_superuser=False, is_managed=False)
    if scope is not ImportScope.GLOBAL or values["is_unclaimed"]:
        values.update(
            is_unclaimed=True,
            password=make_unusable_password(),
            last_password_change=utcnow(),
            is_password_expired=False,
        )


def users_by_username(session: Session, usernames: Iterable[str]) -> dict[str, int]:
    """The ids of the users holding these usernames, keyed by the lower-cased username
    (usernames are unique in any case)."""
    found: dict[str, int] = {}
    for batch in batches(sorted({fold_case(name) for name in usernames})):
        query = select(func.lower(UserRow.username), UserRow.id).where(
            func.lower(UserRow.username).in_(batch)
        )
        found.update((name, user_id) for name, user_id in session.execute(query))
    return found


def import_users(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.user``. A username already taken (in any case) is reused with
    ``merge_users`` (kind EXISTING), else suffixed; new users get their primary email (unverified)
    and, outside global imports, a claim token."""
    header = context.header
    session = context.uow.session
    values: list[dict[str, Any]] = []
    for row in rows:
        parsed = user_values(RowFields(USER, row))
        apply_scope(parsed, header.scope)
        values.append(parsed)
    looked_up = {fold_case(value["username"]) for value in values}
    existing = users_by_username(session, looked_up)
    claimed: set[str] = set()

    def taken(name: str) -> bool:
        key = fold_case(name)
        if key not in looked_up:
            looked_up.add(key)
            existing.update(users_by_username(session, [key]))
        return key in existing or key in claimed

    outcomes: list[MappedRow | None] = []
    inserts: list[tuple[ChunkRow, dict[str, Any], str]] = []
    for row, value in zip(rows, values, strict=True):
        name = value["username"]
        if fold_case(name) in existing and header.merge_users:
            outcomes.append(MappedRow(row.pk, existing[fold_case(name)], MappingKind.EXISTING))
            continue
        final = free_name(name, MAX_USERNAME_LENGTH, taken) if taken(name) else name
        claimed.add(fold_case(final))
        value["username"] = final
        inserts.append((row, value, final if final != name else ""))
        outcomes.append(None)
    new_ids = _insert(context, [value for _, value, _ in inserts])
    inserted = iter(
        MappedRow(row.pk, new_id, MappingKind.INSERTED, renamed)
        for (row, _, renamed), new_id in zip(inserts, new_ids, strict=True)
    )
    return [outcome or next(inserted) for outcome in outcomes]


def _insert(context: ImportContext, values: list[dict[str, Any]]) -> list[int]:
    session = context.uow.session
    by_name = insert_keyed(session, UserRow, values, lambda row: row.username, UserRow.username)
    ids = [by_name[value["username"]] for value in values]
    ensure_useremails(
        context.uow,
        [
            (user_id, value["email"])
            for user_id, value in zip(ids, values, strict=True)
            if value["email"]
        ],
    )
    if context.header.scope is not ImportScope.GLOBAL:
        insert_rows(
            session,
            LostPasswordHashRow,
            [{"user_id": user_id, "hash": secure_token()} for user_id in ids],
        )
    return ids
