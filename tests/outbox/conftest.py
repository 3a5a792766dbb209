"""A scratch outbox table on a real database (SQLite, or PostgreSQL when configured)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from shared.db.engine import make_engine
from tests.databases import scratch_database
from tests.outbox.test_drainer import Base


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on an empty database holding the scratch outbox table."""
    with scratch_database(tmp_path, "outbox") as url:
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        yield sessionmaker(engine, expire_on_commit=False)
        engine.dispose()
