"""The region's copy of the control silo's slug reservations for its organizations."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from region_silo.db.base import RegionBase
from shared.db.columns import BigIntId, Created


class OrganizationSlugReservationReplicaRow(RegionBase):
    """One reservation as the control silo last reported it."""

    __tablename__ = "organizationslugreservationreplica"
    __table_args__ = (
        UniqueConstraint("organization_slug_reservation_id"),
        UniqueConstraint("slug"),
    )

    id: Mapped[BigIntId]
    organization_slug_reservation_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    slug: Mapped[str] = mapped_column(String(50), nullable=False)
    organization_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    region_name: Mapped[str] = mapped_column(String(48), nullable=False)
    reservation_type: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    date_added: Mapped[Created]
