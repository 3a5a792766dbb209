"""Users and what hangs off them: emails, options, permissions, roles, password-reset hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from control_silo.db.base import ControlBase
from shared.db.columns import BIG_INT, BigIntId, Created, OptionalTime
from shared.db.types import UTCDateTime, utcnow


def _user_fk() -> ForeignKey:
    return ForeignKey("user.id", ondelete="CASCADE")


class UserRow(ControlBase):
    """A person or managed account (Sentry's ``auth_user``)."""

    __tablename__ = "user"
    __table_args__ = (UniqueConstraint("username"),)

    id: Mapped[BigIntId]
    password: Mapped[str] = mapped_column(String(128), nullable=False)
    last_login: Mapped[OptionalTime]
    username: Mapped[str] = mapped_column(String(128), nullable=False)
    # Sentry keeps the display name in Django's first_name column.
    name: Mapped[str] = mapped_column("first_name", String(200), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(75), nullable=False, default="")
    is_staff: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    is_superuser: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_managed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_sentry_app: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    is_password_expired: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_unclaimed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    last_password_change: Mapped[OptionalTime]
    flags: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    session_nonce: Mapped[str | None] = mapped_column(String(12), nullable=True)
    date_joined: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    last_active: Mapped[OptionalTime]
    avatar_type: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0)
    avatar_url: Mapped[str | None] = mapped_column(String(120), nullable=True)


class EmailRow(ControlBase):
    """Every address known to the installation, once, compared case-insensitively."""

    __tablename__ = "email"
    id: Mapped[BigIntId]
    email: Mapped[str] = mapped_column(String(75), nullable=False)
    date_added: Mapped[Created]


class UserEmailRow(ControlBase):
    """An address of a user, verified or not."""

    __tablename__ = "useremail"
    __table_args__ = (UniqueConstraint("user_id", "email"),)

    id: Mapped[BigIntId]
    user_id: Mapped[int] = mapped_column(BIG_INT, _user_fk(), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(75), nullable=False)
    validation_hash: Mapped[str] = mapped_column(String(32), nullable=False)
    date_hash_added: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    is_verified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class UserOptionRow(ControlBase):
    """A setting of a user, optionally scoped to a project or an organization (plain ids:
    those live in region silos)."""

    __tablename__ = "useroption"
    __table_args__ = (UniqueConstraint("user_id", "project_id", "organization_id", "key"),)

    id: Mapped[BigIntId]
    user_id: Mapped[int] = mapped_column(BIG_INT, _user_fk(), nullable=False, index=True)
    project_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    organization_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class UserPermissionRow(ControlBase):
    """An installation-wide permission granted to a user (``users.admin``, ...)."""

    __tablename__ = "userpermission"
    __table_args__ = (UniqueConstraint("user_id", "permission"),)

    id: Mapped[BigIntId]
    user_id: Mapped[int] = mapped_column(BIG_INT, _user_fk(), nullable=False)
    permission: Mapped[str] = mapped_column(String(32), nullable=False)


class UserRoleRow(ControlBase):
    """A named set of permissions ("Super Admin", ...)."""

    __tablename__ = "userrole"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[BigIntId]
    name: Mapped[str] = mapped_column(String(32), nullable=False)
    permissions: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    date_added: Mapped[Created]
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class UserRoleUserRow(ControlBase):
    """A user holding a role."""

    __tablename__ = "userroleuser"
    __table_args__ = (UniqueConstraint("user_id", "role_id"),)

    id: Mapped[BigIntId]
    user_id: Mapped[int] = mapped_column(BIG_INT, _user_fk(), nullable=False)
    role_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("userrole.id", ondelete="CASCADE"), nullable=False
    )
    date_added: Mapped[Created]
    date_updated: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class LostPasswordHashRow(ControlBase):
    """A one-time password-reset (or account-claim) token of a user."""

    __tablename__ = "lostpasswordhash"
    __table_args__ = (UniqueConstraint("user_id"),)

    id: Mapped[BigIntId]
    user_id: Mapped[int] = mapped_column(BIG_INT, _user_fk(), nullable=False)
    hash: Mapped[str] = mapped_column(String(32), nullable=False)
    date_added: Mapped[Created]


# Functional indexes, declared once the columns exist.
# Usernames collide case-insensitively ("Alice" and "alice" are one account name).
Index("uq_user_username_lower", func.lower(UserRow.username), unique=True)
Index("ix_user_email_lower", func.lower(UserRow.email))
Index("uq_email_email_lower", func.lower(EmailRow.email), unique=True)
Index("ix_useremail_email_lower", func.lower(UserEmailRow.email))
# NULL scopes are distinct in a plain unique constraint; this index also makes a user's
# unscoped (or half-scoped) option unique.
Index(
    "uq_useroption_user_scope_key",
    UserOptionRow.user_id,
    func.coalesce(UserOptionRow.project_id, 0),
    func.coalesce(UserOptionRow.organization_id, 0),
    UserOptionRow.key,
    unique=True,
)
