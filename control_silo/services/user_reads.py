"""Loads users with their emails, permissions and roles: two prepared queries for any number
of users (this is the hot path of GetUser and GetManyByID). A user's ``roles`` are the permission
strings its roles grant, as Sentry's checks of ``roles | permissions`` expect."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import (
    BindParameter,
    Connection,
    Text,
    bindparam,
    cast,
    false,
    literal,
    select,
    union_all,
)

from control_silo.db.models import (
    UserEmailRow,
    UserPermissionRow,
    UserRoleRow,
    UserRoleUserRow,
    UserRow,
)
from control_silo.services.rows import to_user
from shared.services.user.model import User, UserEmail

_users = UserRow.__table__
_ids: BindParameter[list[int]] = bindparam("ids", expanding=True)

# Built once: SQLAlchemy caches their compiled form, so each call only binds the ids.
_USERS_BY_ID = select(_users).where(_users.c.id.in_(_ids))
_RELATED_BY_USER = union_all(
    select(
        literal("email").label("kind"),
        UserEmailRow.user_id,
        UserEmailRow.email.label("value"),
        UserEmailRow.is_verified.label("verified"),
        UserEmailRow.id.label("position"),
    ).where(UserEmailRow.user_id.in_(_ids)),
    select(
        literal("permission"),
        UserPermissionRow.user_id,
        UserPermissionRow.permission,
        false(),
        UserPermissionRow.id,
    ).where(UserPermissionRow.user_id.in_(_ids)),
    # A role's permissions as JSON text: User.roles holds what the roles grant.
    select(
        literal("role"),
        UserRoleUserRow.user_id,
        cast(UserRoleRow.permissions, Text),
        false(),
        UserRoleUserRow.id,
    )
    .join(UserRoleRow, UserRoleRow.id == UserRoleUserRow.role_id)
    .where(UserRoleUserRow.user_id.in_(_ids)),
).order_by("position")


class UserLoader:
    """Turns user ids into domain users on one connection (inside a transaction, it sees that
    transaction's own writes)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def by_id(self, user_ids: Iterable[int]) -> dict[int, User]:
        """The users with these ids that exist, keyed by id."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        rows = self._connection.execute(_USERS_BY_ID, {"ids": ids}).all()
        if not rows:
            return {}
        useremails: dict[int, list[UserEmail]] = defaultdict(list)
        permissions: dict[int, list[str]] = defaultdict(list)
        roles: dict[int, list[str]] = defaultdict(list)
        for kind, user_id, value, verified, _ in self._connection.execute(
            _RELATED_BY_USER, {"ids": [row.id for row in rows]}
        ):
            if kind == "email":
                useremails[user_id].append(UserEmail(value, bool(verified)))
            elif kind == "permission":
                permissions[user_id].append(value)
            else:
                roles[user_id].extend(str(granted) for granted in json.loads(value))
        return {
            row.id: to_user(row, useremails[row.id], permissions[row.id], roles[row.id])
            for row in rows
        }

    def one(self, user_id: int) -> User:
        """The user with this id, which the caller knows exists."""
        return self.by_id([user_id])[user_id]

    def ordered(self, user_ids: Sequence[int]) -> list[User]:
        """Users in the order of ``user_ids`` (repeats kept, unknown ids left out)."""
        found = self.by_id(user_ids)
        return [found[user_id] for user_id in user_ids if user_id in found]
