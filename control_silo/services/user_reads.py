"""Loads users with their emails, permissions and roles in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from control_silo.db.models import User as UserRow
from control_silo.db.models import UserEmail as UserEmailRow
from control_silo.db.models import UserPermission, UserRole, UserRoleUser
from control_silo.passwords import is_usable
from shared.services.user.model import AvatarType, User, UserEmail


def to_user(
    row: UserRow,
    useremails: Sequence[UserEmail],
    permissions: Iterable[str],
    roles: Iterable[str],
    email: str | None = None,
) -> User:
    """The domain user for a row and its related values; ``email`` overrides the primary one."""
    return User(
        id=row.id,
        username=row.username,
        email=row.email if email is None else email,
        name=row.name,
        is_active=row.is_active,
        is_staff=row.is_staff,
        is_superuser=row.is_superuser,
        is_managed=row.is_managed,
        is_unclaimed=row.is_unclaimed,
        is_password_expired=row.is_password_expired,
        password_usable=is_usable(row.password),
        date_joined=row.date_joined,
        last_login=row.last_login,
        last_active=row.last_active,
        flags=row.flags,
        avatar_type=AvatarType(row.avatar_type),
        avatar_url=row.avatar_url,
        emails=frozenset(e.email for e in useremails if e.is_verified),
        useremails=tuple(useremails),
        permissions=frozenset(permissions),
        roles=frozenset(roles),
    )


class UserLoader:
    """Turns user rows into domain users, fetching related rows for all of them at once."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def load(self, rows: Sequence[UserRow], emails: Sequence[str | None] = ()) -> list[User]:
        """Domain users for ``rows`` in order; ``emails[i]``, if given, replaces row i's email."""
        if not rows:
            return []
        ids = sorted({row.id for row in rows})
        useremails: dict[int, list[UserEmail]] = defaultdict(list)
        for user_id, address, verified in self._session.execute(
            select(UserEmailRow.user_id, UserEmailRow.email, UserEmailRow.is_verified)
            .where(UserEmailRow.user_id.in_(ids))
            .order_by(UserEmailRow.id)
        ):
            useremails[user_id].append(UserEmail(address, verified))
        permissions: dict[int, list[str]] = defaultdict(list)
        for user_id, permission in self._session.execute(
            select(UserPermission.user_id, UserPermission.permission).where(
                UserPermission.user_id.in_(ids)
            )
        ):
            permissions[user_id].append(permission)
        roles: dict[int, list[str]] = defaultdict(list)
        for user_id, role_name in self._session.execute(
            select(UserRoleUser.user_id, UserRole.name)
            .join(UserRole, UserRole.id == UserRoleUser.role_id)
            .where(UserRoleUser.user_id.in_(ids))
        ):
            roles[user_id].append(role_name)
        overrides = list(emails) + [None] * (len(rows) - len(emails))
        return [
            to_user(row, useremails[row.id], permissions[row.id], roles[row.id], email)
            for row, email in zip(rows, overrides, strict=True)
        ]

    def load_one(self, row: UserRow) -> User:
        """The domain user for one row."""
        return self.load([row])[0]
