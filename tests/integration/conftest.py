"""A migrated control database made through the `silo upgrade` command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import scratch_database
from tests.integration.processes import run_silo


@pytest.fixture(scope="module")
def served_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(tmp_path_factory.mktemp("served"), "served") as url:
        result = run_silo("upgrade", "--silo", "control", "--database-url", url)
        assert result.returncode == 0, result.stderr
        assert "control schema is up to date" in result.stdout
        yield url


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path
