"""Fixtures of the control silo's user-read tests: the user service and a second engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from control_silo.bootstrap import ControlSilo
from shared.db.engine import make_engine
from shared.services.user.service import UserService


@pytest.fixture
def users(control_silo: ControlSilo) -> UserService:
    return control_silo.services.get(UserService)


@pytest.fixture
def other_engine(control_database_url: str) -> Iterator[Engine]:
    """A second engine on the same database: another writer, as a second process would be."""
    engine = make_engine(control_database_url)
    yield engine
    engine.dispose()
