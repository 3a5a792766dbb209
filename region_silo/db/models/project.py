"""Projects and the teams that own them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from region_silo.db.base import RegionBase
from shared.db.columns import BIG_INT, BigIntId, Created, OptionalTime


class ProjectRow(RegionBase):
    """A project of an organization; slugs are unique within the organization."""

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("organization_id", "slug"),)

    id: Mapped[BigIntId]
    organization_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False
    )
    slug: Mapped[str] = mapped_column(String(100), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    forced_color: Mapped[str | None] = mapped_column(String(6), nullable=True)
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    date_added: Mapped[Created]
    status: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_event: Mapped[OptionalTime]
    flags: Mapped[int] = mapped_column(BigInteger, nullable=False, default=10)
    platform: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ProjectTeamRow(RegionBase):
    """A team owning a project."""

    __tablename__ = "projectteam"
    __table_args__ = (UniqueConstraint("project_id", "team_id"),)

    id: Mapped[BigIntId]
    project_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("project.id", ondelete="CASCADE"), nullable=False
    )
    team_id: Mapped[int] = mapped_column(
        BIG_INT, ForeignKey("team.id", ondelete="CASCADE"), nullable=False
    )
