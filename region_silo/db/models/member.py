"""Memberships (and invitations) of organizations, and their team links."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from region_silo.db.base import RegionBase
from shared.db.columns import BIG_INT, BigIntId, Created, OptionalTime


class OrganizationMemberRow(RegionBase):
    """A user's membership, or an invitation of an email when ``user_id`` is null.

    ``user_id`` is a plain id: users live in the control silo. ``user_is_active`` and
    ``user_email`` are copies kept current by the control silo's USER_UPDATE messages.
    """

    __tablename__ = "organizationmember"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id"),
        UniqueConstraint("organization_id", "email"),
    )

    id: Mapped[BigIntId]
    organization_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    email: Mapped[str | None] = mapped_column(String(75), nullable=True)
    role: Mapped[str] = mapped_column(String(32), nullable=False, default="member")
    flags: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    token: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    date_added: Mapped[Created]
    token_expires_at: Mapped[OptionalTime]
    has_global_access: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    inviter_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    invite_status: Mapped[int | None] = mapped_column(Integer, nullable=True, default=0)
    type: Mapped[int] = mapped_column(Integer, nullable=False, default=50)
    user_is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    user_email: Mapped[str | None] = mapped_column(String(75), nullable=True)


class OrganizationMemberTeamRow(RegionBase):
    """A member on a team."""

    __tablename__ = "organizationmemberteam"
    __table_args__ = (UniqueConstraint("team_id", "organizationmember_id"),)

    id: Mapped[BigIntId]
    team_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("team.id", ondelete="CASCADE"), nullable=False
    )
    organizationmember_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("organizationmember.id", ondelete="CASCADE"), nullable=False
    )
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    role: Mapped[str | None] = mapped_column(String(32), nullable=True)
