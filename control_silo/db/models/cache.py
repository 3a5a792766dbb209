"""What the per-process user read cache checks: one version row per user, renewed by database
triggers in the transaction of every write that changes what GetUser returns."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from control_silo.db.base import ControlBase
from shared.db.columns import BIG_INT, BigIntId


class UserCacheVersionRow(ControlBase):
    """The version of a user's readable state. Each write replaces it with a value drawn from a
    counter that never goes back (SQLite's AUTOINCREMENT, a PostgreSQL sequence), so a version
    is never seen twice, not even after rows were deleted and ids reused."""

    __tablename__ = "usercacheversion"
    __table_args__ = (UniqueConstraint("user_id"), {"sqlite_autoincrement": True})

    version: Mapped[BigIntId]
    user_id: Mapped[int] = mapped_column(BIG_INT, nullable=False)
