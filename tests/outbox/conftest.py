"""A scratch outbox table on a real database (SQLite, or PostgreSQL when configured)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.databases import scratch_sessions
from tests.outbox.test_drainer import Base


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on an empty database holding the scratch outbox table."""
    with scratch_sessions(tmp_path, "outbox", Base.metadata) as made:
        yield made
