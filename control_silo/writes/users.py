"""User rows: created with their primary email rows, updated, passwords and session nonces."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import UserRow
from control_silo.outbox.messages import user_changed
from control_silo.writes.emails import ensure_useremail, ensure_useremails
from shared import validation
from shared.db.bulk import batches
from shared.db.types import utcnow
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists, NotFound
from shared.folding import fold_case
from shared.services.user.model import UserUpdate


@dataclass(frozen=True)
class UserValues:
    """The columns of a new user; ``password`` is stored as given (a hash, or unusable)."""

    username: str
    password: str
    email: str = ""
    name: str = ""
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    is_managed: bool = False
    is_unclaimed: bool = False
    flags: int = 0
    last_password_change: datetime | None = None


def require_user(session: Session, user_id: int) -> UserRow:
    """The user's row; raises ``InvalidArgument`` or ``NotFound`` (field ``user_id``)."""
    validation.positive_id(user_id, "user_id")
    row = session.get(UserRow, user_id)
    if row is None:
        raise NotFound(f"no user has id {user_id}", field="user_id")
    return row


def require_users(session: Session, user_ids: Iterable[int]) -> None:
    """Raises ``InvalidArgument`` or ``NotFound`` (field ``user_id``) for the first bad id."""
    wanted = list(dict.fromkeys(user_ids))
    for user_id in wanted:
        validation.positive_id(user_id, "user_id")
    found: set[int] = set()
    for batch in batches(wanted):
        found.update(session.scalars(select(UserRow.id).where(UserRow.id.in_(batch))))
    for user_id in wanted:
        if user_id not in found:
            raise NotFound(f"no user has id {user_id}", field="user_id")


def create_users(uow: UnitOfWork, users: Sequence[UserValues]) -> list[UserRow]:
    """Inserts the users and a useremail row for each one's address; returns their rows in the
    order given.

    :raises AlreadyExists: a username (compared case-insensitively) is taken, or given twice
        (field ``username``); nothing of the call is left in the unit of work.
    """
    if not users:
        return []
    session = uow.session
    conflict = _username_conflict(session, users)
    if conflict is not None:
        raise conflict
    by_name: dict[str, UserRow] = {}
    try:
        with session.begin_nested():
            for batch in batches([_columns(user) for user in users]):
                for row in session.scalars(insert(UserRow).returning(UserRow), batch):
                    by_name[row.username] = row
    except IntegrityError:
        # Another writer took a name between the check and the insert.
        conflict = _username_conflict(session, users) or _taken(users[0].username)
        raise conflict from None
    # RETURNING gives no order on SQLite; usernames tell the rows apart.
    rows = [by_name[user.username] for user in users]
    ensure_useremails(uow, [(row.id, row.email) for row in rows if row.email])
    return rows


def create_user(uow: UnitOfWork, user: UserValues) -> UserRow:
    """The single form of ``create_users``."""
    return create_users(uow, [user])[0]


def _taken(username: str) -> AlreadyExists:
    return AlreadyExists(f"{username!r} is taken", field="username")


def _username_conflict(session: Session, users: Sequence[UserValues]) -> AlreadyExists | None:
    lowered = [fold_case(user.username) for user in users]
    taken: set[str] = set()
    for batch in batches(lowered):
        taken.update(
            session.scalars(
                select(func.lower(UserRow.username)).where(func.lower(UserRow.username).in_(batch))
            )
        )
    for user, name in zip(users, lowered, strict=True):
        if name in taken:
            return _taken(user.username)
        taken.add(name)
    return None


def _columns(user: UserValues) -> dict[str, object]:
    return {
        "username": user.username,
        "email": user.email,
        "name": user.name,
        "password": user.password,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "is_managed": user.is_managed,
        "is_unclaimed": user.is_unclaimed,
        "flags": user.flags,
        "last_password_change": user.last_password_change,
    }


def update_user(
    uow: UnitOfWork, user_id: int, update: UserUpdate, *, password_hash: str | None = None
) -> UserRow:
    """Applies the fields ``update`` sets, and tells the user's regions.

    ``update.password`` is never stored: the caller hashes it (outside the transaction) and
    passes ``password_hash``, which also marks the password changed now and unexpired.

    :raises NotFound: no user has ``user_id`` (field ``user_id``).
    """
    if update.password is not None and password_hash is None:
        raise ValueError("pass the hash of update.password as password_hash")
    row = require_user(uow.session, user_id)
    if update.name is not None:
        row.name = update.name
    if update.email is not None:
        row.email = update.email
        ensure_useremail(uow, row.id, update.email)
    if update.is_active is not None:
        row.is_active = update.is_active
    if update.avatar_type is not None:
        row.avatar_type = int(update.avatar_type)
    if update.avatar_url is not None:
        row.avatar_url = update.avatar_url or None
    if update.is_staff is not None:
        row.is_staff = update.is_staff
    if update.is_superuser is not None:
        row.is_superuser = update.is_superuser
    if password_hash is not None:
        row.password = password_hash
        row.last_password_change = utcnow()
        row.is_password_expired = False
    uow.flush()
    user_changed(uow, row.id)
    return row


def set_password(uow: UnitOfWork, user_id: int, password_hash: str) -> UserRow:
    """Stores a new password hash: ``update_user`` with only the password."""
    return update_user(uow, user_id, UserUpdate(), password_hash=password_hash)


def flush_nonce(uow: UnitOfWork, user_id: int) -> None:
    """Gives the user a new session nonce, which signs out its sessions everywhere."""
    require_user(uow.session, user_id).session_nonce = secrets.token_hex(6)
    user_changed(uow, user_id)
