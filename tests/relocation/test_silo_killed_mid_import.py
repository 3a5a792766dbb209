"""A control silo killed with SIGKILL in the middle of an import, then restarted: the same command
with the same import id ends with exactly the rows of one clean run."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from control_silo.db.models import ControlImportChunkRow
from tests.databases import scratch_database
from tests.integration.processes import control_process, free_port, run_silo, silo_command

pytestmark = pytest.mark.integration

SECRET = "kill-test-secret"
USERS, CHUNK = 300, 10


def _export(path: Path) -> Path:
    records: list[dict[str, object]] = []
    for pk in range(1, USERS + 1):
        records.append(
            {
                "model": "sentry.user",
                "pk": pk,
                "fields": {
                    "username": f"user{pk}",
                    "email": f"user{pk}@example.com",
                    "password": "pbkdf2_sha256$1$salt$hash",
                },
            }
        )
    for pk in range(1, USERS + 1):
        records.append(
            {
                "model": "sentry.useroption",
                "pk": pk,
                "fields": {
                    "user": pk,
                    "key": "timezone",
                    "value": '"UTC"',
                    "project_id": None,
                    "organization_id": None,
                },
            }
        )
    path.write_text(json.dumps(records))
    return path


def _count(url: str, table: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text(f'SELECT count(*) FROM "{table}"')) or 0)  # noqa: S608 - fixed names
    finally:
        engine.dispose()


def _chunks(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.scalar(select(func.count()).select_from(ControlImportChunkRow)) or 0
            )
    finally:
        engine.dispose()


def test_a_control_silo_killed_mid_import_resumes_to_one_clean_run(tmp_path: Path) -> None:
    with scratch_database(tmp_path, "killed_control") as url:
        upgraded = run_silo("upgrade", "--silo", "control", "--database-url", url)
        assert upgraded.returncode == 0, upgraded.stderr
        source = _export(tmp_path / "export.json")
        listen = f"127.0.0.1:{free_port()}"
        command = silo_command(
            "import",
            "users",
            str(source),
            "--control",
            listen,
            "--no-prompt",
            "--silent",
            "--chunk-size",
            str(CHUNK),
            "--import-uuid",
            "silo-killed",
        )
        env = {**os.environ, "SILO_RPC_SHARED_SECRETS": SECRET}

        with control_process(url, tmp_path, SECRET, "--listen", listen) as control:
            importing = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            deadline = time.monotonic() + 60
            while _chunks(url) < 3:
                assert importing.poll() is None, "the import ended before the silo was killed"
                assert time.monotonic() < deadline, "the import wrote no chunks"
                time.sleep(0.005)
            control.process.kill()
            control.process.wait(timeout=10)
        _, errors = importing.communicate(timeout=60)
        written = _chunks(url)
        assert importing.returncode == 1, errors
        assert written < 2 * USERS // CHUNK, "the kill came too late to prove anything"

        with control_process(url, tmp_path, SECRET, "--listen", listen):
            resumed = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=120, check=False
            )

        assert resumed.returncode == 0, resumed.stderr
        assert _count(url, "user") == USERS
        assert _count(url, "useroption") == USERS
        assert _count(url, "useremail") == USERS
        assert _count(url, "lostpasswordhash") == USERS
        assert _chunks(url) == 2 * USERS // CHUNK
