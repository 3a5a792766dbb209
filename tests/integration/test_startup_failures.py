"""A command that cannot start prints one clear line and exits 2, without a traceback, and never
prints a password from a database or Redis URL."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.databases import scratch_database
from tests.integration.processes import run_silo

PASSWORD = "hunter2-not-to-be-seen"
UNREACHABLE = f"postgresql+psycopg://silo:{PASSWORD}@127.0.0.1:1/silo"
BAD_URL = f"nosuchdb://silo:{PASSWORD}@somewhere/x"
UNWRITABLE = "/proc/silo-cannot-write-here"


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield held.getsockname()[1]


@pytest.fixture(scope="module")
def migrated_control(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(tmp_path_factory.mktemp("startup"), "startup_control") as url:
        result = run_silo("upgrade", "--silo", "control", "--database-url", url)
        assert result.returncode == 0, result.stderr
        yield url


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    returncode, stderr, stdout = result.returncode, result.stderr, result.stdout
    assert returncode == 2, (returncode, stderr)
    assert "Traceback" not in stderr, stderr
    assert PASSWORD not in stderr + stdout
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    for word in expected:
        assert word in lines[0], lines[0]


def serve(*arguments: str) -> subprocess.CompletedProcess[str]:
    env = {"SILO_RPC_SHARED_SECRETS": "startup-secret"}
    return run_silo("serve", "control", "--listen", "127.0.0.1:0", *arguments, env=env)


def test_serve_on_a_port_in_use(migrated_control: str, busy_port: int) -> None:
    result = run_silo(
        "serve",
        "control",
        "--database-url",
        migrated_control,
        "--listen",
        f"127.0.0.1:{busy_port}",
        env={"SILO_RPC_SHARED_SECRETS": "startup-secret"},
    )
    assert_one_clear_line(result, f"127.0.0.1:{busy_port}")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--database-url", UNREACHABLE], "database"),
        (["--database-url", BAD_URL], "database URL"),
        (["--data-dir", UNWRITABLE], UNWRITABLE),
    ],
    ids=["unreachable", "bad-url", "unwritable-dir"],
)
def test_serve_without_a_usable_database(arguments: list[str], expected: str) -> None:
    assert_one_clear_line(serve(*arguments), expected)


def test_serve_with_a_missing_database(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'missing.sqlite3'}"
    assert_one_clear_line(serve("--database-url", missing), "silo upgrade")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--database-url", UNREACHABLE], "database"),
        (["--database-url", BAD_URL], "database URL"),
        (["--data-dir", UNWRITABLE], UNWRITABLE),
    ],
    ids=["unreachable", "bad-url", "unwritable-dir"],
)
def test_upgrade_failures(arguments: list[str], expected: str) -> None:
    assert_one_clear_line(run_silo("upgrade", "--silo", "control", *arguments), expected)


@pytest.mark.parametrize("command", [["upgrade"], ["outbox", "status"], ["serve", "galaxy"]])
def test_an_unknown_silo_is_a_usage_error(command: list[str]) -> None:
    silo = [] if command[0] == "serve" else ["--silo", "galaxy"]
    result = run_silo(*command, *silo)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1 and "galaxy" in error_lines[0], result.stderr


def test_upgrade_of_a_database_at_an_unknown_revision(tmp_path: Path) -> None:
    with scratch_database(tmp_path, "unknown_revision") as url:
        assert run_silo("upgrade", "--silo", "control", "--database-url", url).returncode == 0
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version_control SET version_num = 'zz_gone'"))
        engine.dispose()
        result = run_silo("upgrade", "--silo", "control", "--database-url", url)
        assert_one_clear_line(result, "zz_gone")
        served = serve("--database-url", url)
        assert_one_clear_line(served, "zz_gone")


@pytest.mark.parametrize("command", ["status", "drain"])
@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--database-url", UNREACHABLE], "database"),
        (["--database-url", BAD_URL], "database URL"),
    ],
    ids=["unreachable", "bad-url"],
)
def test_outbox_failures(command: str, arguments: list[str], expected: str) -> None:
    once = ["--once"] if command == "drain" else []
    result = run_silo("outbox", command, "--silo", "control", *arguments, *once)
    assert_one_clear_line(result, expected)


def test_outbox_of_a_missing_database(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'missing.sqlite3'}"
    for command in (["status"], ["drain", "--once"]):
        result = run_silo("outbox", *command, "--silo", "control", "--database-url", missing)
        assert_one_clear_line(result, "silo upgrade")


def test_devserver_on_a_port_in_use(tmp_path: Path, busy_port: int) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SILO_")}
    result = run_silo(
        "devserver", "--data-dir", str(tmp_path), "--listen", f"127.0.0.1:{busy_port}", env=env
    )
    assert_one_clear_line(result, f"127.0.0.1:{busy_port}")


def test_devserver_in_an_unwritable_directory() -> None:
    assert_one_clear_line(run_silo("devserver", "--data-dir", UNWRITABLE), UNWRITABLE)


def test_config_show_masks_passwords_in_urls() -> None:
    result = run_silo(
        "config",
        "show",
        env={
            "SILO_DATABASE_URL": f"postgresql+psycopg://silo:{PASSWORD}@db.internal:5432/silo",
            "SILO_CACHE_REDIS_URL": f"redis://:{PASSWORD}@cache.internal:6379/0",
        },
    )
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout
    assert "database_url = postgresql+psycopg://silo:***@db.internal:5432/silo" in result.stdout
    assert "cache_redis_url = redis://:***@cache.internal:6379/0" in result.stdout
