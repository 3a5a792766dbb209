"""An outbox row's strings are checked like every other written string, before any SQL is sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from shared.db.columns import BigIntId
from shared.db.unit_of_work import UnitOfWork
from shared.errors import InvalidArgument
from shared.outbox.categories import OutboxCategory
from shared.outbox.model import OutboxColumns, OutboxMessage
from shared.outbox.writer import OutboxWriter
from tests.databases import scratch_sessions


class Base(DeclarativeBase):
    metadata = MetaData()


class RegionBoundOutbox(OutboxColumns, Base):
    __tablename__ = "regionboundoutbox"

    id: Mapped[BigIntId]
    region_name: Mapped[str] = mapped_column(String(48), nullable=False)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with scratch_sessions(tmp_path, "outbox-strings", Base.metadata) as made:
        yield made


def _rows(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(RegionBoundOutbox)) or 0


@pytest.mark.parametrize(
    ("region", "problem"),
    [("us\x00", "NUL character"), ("r" * 49, "longer than 48 characters")],
)
def test_a_region_name_the_column_cannot_hold_is_refused_and_nothing_is_written(
    sessions: sessionmaker[Session], region: str, problem: str
) -> None:
    writer = OutboxWriter(RegionBoundOutbox, per_region=True)
    good = OutboxMessage(OutboxCategory.ORGANIZATION_UPDATE, 1, 1, region_name="us")
    bad = OutboxMessage(OutboxCategory.ORGANIZATION_UPDATE, 2, 2, region_name=region)
    with (
        pytest.raises(InvalidArgument, match=problem) as refused,
        UnitOfWork(sessions, outbox=writer) as uow,
    ):
        uow.add_outbox(good)
        uow.add_outbox(bad)
        uow.commit()
    assert refused.value.field == "region_name"
    assert _rows(sessions) == 0


def test_an_outbox_row_that_fits_is_written(sessions: sessionmaker[Session]) -> None:
    writer = OutboxWriter(RegionBoundOutbox, per_region=True)
    with UnitOfWork(sessions, outbox=writer) as uow:
        uow.add_outbox(OutboxMessage(OutboxCategory.ORGANIZATION_UPDATE, 1, 1, region_name="us"))
        uow.commit()
    assert _rows(sessions) == 1
