"""Teams of an organization."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from region_silo.db.base import RegionBase
from shared.db.columns import BIG_INT, BigIntId, Created


class TeamRow(RegionBase):
    """A group of members; slugs are unique within the organization."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("organization_id", "slug"),)

    id: Mapped[BigIntId]
    organization_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False
    )
    slug: Mapped[str] = mapped_column(String(50), nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    idp_provisioned: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    date_added: Mapped[Created]
