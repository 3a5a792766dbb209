"""Organization auth tokens (Sentry's OrgAuthToken): only a hash of each token is kept."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from region_silo.db.base import RegionBase
from shared.db.columns import BIG_INT, BigIntId, Created, OptionalTime


class OrgAuthTokenRow(RegionBase):
    """A token for tools acting on an organization (``sntrys_...``); ``token_hashed`` is its
    SHA-256 in hex, ``scope_list`` a JSON array of scope names."""

    __tablename__ = "orgauthtoken"
    __table_args__ = (UniqueConstraint("token_hashed"),)

    id: Mapped[BigIntId]
    organization_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hashed: Mapped[str] = mapped_column(Text, nullable=False)
    token_last_characters: Mapped[str | None] = mapped_column(String(4), nullable=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    scope_list: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    # Plain ids: users live in the control silo; a project may go while its tokens stay.
    created_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    date_added: Mapped[Created]
    date_last_used: Mapped[OptionalTime]
    project_last_used_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    date_deactivated: Mapped[OptionalTime]
