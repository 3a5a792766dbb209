"""Column shapes and constraint naming that both silos' schemas share."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from sqlalchemy import BigInteger, Integer, MetaData
from sqlalchemy.orm import mapped_column

from shared.db.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def silo_metadata() -> MetaData:
    """A new, empty schema whose constraints are named by ``NAMING_CONVENTION`` (one per silo)."""
    return MetaData(naming_convention=NAMING_CONVENTION)


# 64-bit ids on PostgreSQL; on SQLite only INTEGER PRIMARY KEY is the auto-incrementing rowid.
BIG_INT = BigInteger().with_variant(Integer(), "sqlite")

BigIntId = Annotated[int, mapped_column(BIG_INT, primary_key=True, autoincrement=True)]
Created = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow, nullable=False)]
OptionalTime = Annotated[datetime | None, mapped_column(UTCDateTime(), nullable=True)]
