"""Single sign-on providers of organizations and the identities they vouch for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from control_silo.db.base import ControlBase
from shared.db.columns import BIG_INT, BigIntId, Created, OptionalTime
from shared.db.types import UTCDateTime, utcnow


class AuthProviderRow(ControlBase):
    """An organization's single sign-on configuration (one per organization)."""

    __tablename__ = "authprovider"
    __table_args__ = (UniqueConstraint("organization_id"),)

    id: Mapped[BigIntId]
    organization_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    provider: Mapped[str] = mapped_column(String(128), nullable=False)
    config: Mapped[dict[str, object]] = mapped_column(JSON, nullable=False, default=dict)
    date_added: Mapped[Created]
    sync_time: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_sync: Mapped[OptionalTime]
    default_role: Mapped[int] = mapped_column(Integer, nullable=False, default=50)
    default_global_access: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    flags: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class AuthIdentityRow(ControlBase):
    """A user's identity at a provider; a provider knows each ident and each user once."""

    __tablename__ = "authidentity"
    __table_args__ = (
        UniqueConstraint("auth_provider_id", "ident"),
        UniqueConstraint("auth_provider_id", "user_id"),
    )

    id: Mapped[BigIntId]
    user_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    auth_provider_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("authprovider.id", ondelete="CASCADE"), nullable=False
    )
    ident: Mapped[str] = mapped_column(String(128), nullable=False)
    data: Mapped[dict[str, object]] = mapped_column(JSON, nullable=False, default=dict)
    last_verified: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    last_synced: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    date_added: Mapped[Created]
