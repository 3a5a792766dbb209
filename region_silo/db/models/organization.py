"""Organizations and their options."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from region_silo.db.base import RegionBase
from shared.db.columns import BIG_INT, BigIntId, Created


class OrganizationRow(RegionBase):
    """A customer account. Its id is allocated by the control silo, unique across regions."""

    __tablename__ = "organization"
    __table_args__ = (UniqueConstraint("slug"),)

    id: Mapped[int] = mapped_column(BIG_INT, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    slug: Mapped[str] = mapped_column(String(50), nullable=False)
    status: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    date_added: Mapped[Created]
    default_role: Mapped[str] = mapped_column(String(32), nullable=False, default="member")
    is_test: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    flags: Mapped[int] = mapped_column(BigInteger, nullable=False, default=1)


class OrganizationOptionRow(RegionBase):
    """A setting of an organization; the value is JSON text."""

    __tablename__ = "organizationoption"
    __table_args__ = (UniqueConstraint("organization_id", "key"),)

    id: Mapped[BigIntId]
    organization_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False
    )
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    value: Mapped[str] = mapped_column(Text, nullable=False)
