"""The control silo's view of organizations living in regions: mappings and slug reservations."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from control_silo.db.base import ControlBase
from shared.db.columns import BigIntId, Created


class OrganizationMappingRow(ControlBase):
    """Where an organization lives and what it is called, for cross-region lookups."""

    __tablename__ = "organizationmapping"
    __table_args__ = (UniqueConstraint("organization_id"), UniqueConstraint("slug"))

    id: Mapped[BigIntId]
    organization_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    slug: Mapped[str] = mapped_column(String(50), nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    date_created: Mapped[Created]
    customer_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    verified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    idempotency_key: Mapped[str] = mapped_column(String(48), nullable=False, default="")
    region_name: Mapped[str] = mapped_column(String(48), nullable=False)
    status: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The version of the region row this mapping reflects; older messages never overwrite it.
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class OrganizationMemberMappingRow(ControlBase):
    """A membership (or invitation) of a user in an organization of some region."""

    __tablename__ = "organizationmembermapping"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id"),
        UniqueConstraint("organization_id", "email"),
        UniqueConstraint("organization_id", "organizationmember_id"),
    )

    id: Mapped[BigIntId]
    organization_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    organizationmember_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # Plain ids: members may belong to users of another installation during relocation.
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    email: Mapped[str | None] = mapped_column(String(75), nullable=True)
    role: Mapped[str] = mapped_column(String(32), nullable=False, default="member")
    inviter_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    invite_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    date_added: Mapped[Created]
    # The version of the region row this mapping reflects; older messages never overwrite it.
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


# Sentry's reservation types: the slug an organization answers to, a vanity alias, and the slug
# a rename in flight will move the primary reservation to once the region has taken it.
PRIMARY_RESERVATION = 0
VANITY_ALIAS = 1
TEMPORARY_RENAME_ALIAS = 2


class OrganizationSlugReservationRow(ControlBase):
    """A slug held for an organization, globally unique across every region."""

    __tablename__ = "organizationslugreservation"
    __table_args__ = (
        UniqueConstraint("slug"),
        UniqueConstraint("organization_id", "reservation_type"),
    )

    id: Mapped[BigIntId]
    slug: Mapped[str] = mapped_column(String(50), nullable=False)
    organization_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    region_name: Mapped[str] = mapped_column(String(48), nullable=False)
    reservation_type: Mapped[int] = mapped_column(
        Integer, nullable=False, default=PRIMARY_RESERVATION
    )
    date_added: Mapped[Created]


class OrganizationIdAllocationRow(ControlBase):
    """One row per organization id handed out; its id is the organization id, so ids stay
    unique across every region."""

    __tablename__ = "organizationidallocation"

    id: Mapped[BigIntId]
    region_name: Mapped[str] = mapped_column(String(48), nullable=False)
    date_added: Mapped[Created]
