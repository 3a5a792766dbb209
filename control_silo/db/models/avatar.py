"""A user's avatar, social-auth identities, and the confirmation emails waiting for a mailer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from control_silo.db.base import ControlBase
from shared.db.columns import BIG_INT, BigIntId, Created
from shared.db.types import UTCDateTime

# Sentry's avatar types, as stored.
AVATAR_TYPES = {0: "letter_avatar", 1: "upload", 2: "gravatar"}


class UserAvatarRow(ControlBase):
    """Which picture stands for a user (Sentry's ``sentry_useravatar``)."""

    __tablename__ = "useravatar"
    __table_args__ = (UniqueConstraint("user_id"), UniqueConstraint("ident"))

    id: Mapped[BigIntId]
    user_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("user.id", ondelete="CASCADE"), nullable=False
    )
    file_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    control_file_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    ident: Mapped[str] = mapped_column(String(32), nullable=False)
    avatar_type: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class UserEmailRequestRow(ControlBase):
    """A message a mailer is to send to an address of a user (no mail server here: the row is
    the request; the mailer sets ``date_sent``)."""

    __tablename__ = "useremailrequest"

    id: Mapped[BigIntId]
    user_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    email: Mapped[str] = mapped_column(String(75), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    date_added: Mapped[Created]
    date_sent: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class UserSocialAuthRow(ControlBase):
    """A user's identity at a social-auth provider (Sentry's ``social_auth_usersocialauth``)."""

    __tablename__ = "usersocialauth"
    __table_args__ = (UniqueConstraint("provider", "uid", "user_id"),)

    id: Mapped[BigIntId]
    user_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    uid: Mapped[str] = mapped_column(String(255), nullable=False)
    extra_data: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
