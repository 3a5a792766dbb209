"""A region silo killed with SIGKILL in the middle of an organizations import, then restarted:
the same command with the same import id ends with exactly the rows of one clean run, and every
organization keeps the id and slug the control silo gave it the first time."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.databases import scratch_database
from tests.integration.processes import (
    control_process,
    free_port,
    region_process,
    run_silo,
    silo_command,
)

pytestmark = pytest.mark.integration

SECRET = "region-kill-secret"
ORGANIZATIONS, CHUNK = 120, 5
VERIFIED_MAPPINGS = "SELECT count(*) FROM organizationmapping WHERE verified"


def _export(path: Path) -> Path:
    records: list[dict[str, object]] = []
    for pk in range(1, ORGANIZATIONS + 1):
        records.append(
            {
                "model": "sentry.organization",
                "pk": pk,
                "fields": {
                    "name": f"Org {pk}",
                    "slug": f"org-{pk}",
                    "status": 0,
                    "date_added": "2023-06-22T22:59:55.488Z",
                    "default_role": "member",
                    "is_test": False,
                    "flags": "1",
                },
            }
        )
    for pk in range(1, ORGANIZATIONS + 1):
        records.append(
            {
                "model": "sentry.organizationoption",
                "pk": pk,
                "fields": {"organization": pk, "key": "sentry:option", "value": '"on"'},
            }
        )
    path.write_text(json.dumps(records))
    return path


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def _count(url: str, query: str) -> int:
    found = _rows(url, query)[0][0]
    assert isinstance(found, int)
    return found


def _chunks(url: str) -> int:
    return _count(url, "SELECT count(*) FROM regionimportchunk")


def test_a_region_killed_mid_import_resumes_to_one_clean_run(tmp_path: Path) -> None:
    with (
        scratch_database(tmp_path, "kill_control") as control_url,
        scratch_database(tmp_path, "kill_region") as region_url,
    ):
        for silo, url in (("control", control_url), ("region", region_url)):
            upgraded = run_silo("upgrade", "--silo", silo, "--database-url", url)
            assert upgraded.returncode == 0, upgraded.stderr
        source = _export(tmp_path / "export.json")
        region_listen = f"127.0.0.1:{free_port()}"
        env = {**os.environ, "SILO_RPC_SHARED_SECRETS": SECRET}

        with control_process(
            control_url, tmp_path, SECRET, "--region", f"us={region_listen}"
        ) as control:
            command = silo_command(
                "import",
                "organizations",
                str(source),
                "--control",
                control.address,
                "--region",
                f"us={region_listen}",
                "--region",
                "us",
                "--no-prompt",
                "--silent",
                "--chunk-size",
                str(CHUNK),
                "--import-uuid",
                "region-killed",
            )
            with region_process(
                "us", region_url, control.address, tmp_path, SECRET, listen=region_listen
            ) as region:
                importing = subprocess.Popen(
                    command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
                )
                deadline = time.monotonic() + 60
                while _chunks(region_url) < 3:
                    assert importing.poll() is None, "the import ended before the kill"
                    assert time.monotonic() < deadline, "the import wrote no chunks"
                    time.sleep(0.005)
                region.process.kill()
                region.process.wait(timeout=10)
            _, errors = importing.communicate(timeout=60)
            assert importing.returncode == 1, errors
            assert _chunks(region_url) < 2 * ORGANIZATIONS // CHUNK, "the kill came too late"

            with region_process(
                "us", region_url, control.address, tmp_path, SECRET, listen=region_listen
            ):
                resumed = subprocess.run(
                    command, env=env, capture_output=True, text=True, timeout=120, check=False
                )
                assert resumed.returncode == 0, resumed.stderr
                deadline = time.monotonic() + 30
                while _count(control_url, VERIFIED_MAPPINGS) < ORGANIZATIONS:
                    assert time.monotonic() < deadline, "the mappings were never verified"
                    time.sleep(0.05)

        organizations = _rows(region_url, "SELECT id, slug FROM organization ORDER BY id")
        reservations = _rows(
            control_url,
            "SELECT organization_id, slug FROM organizationslugreservation"
            " ORDER BY organization_id",
        )
        assert len(organizations) == ORGANIZATIONS
        assert [slug for _, slug in organizations] == [
            f"org-{pk}" for pk in range(1, ORGANIZATIONS + 1)
        ]
        assert reservations == organizations
        assert _count(region_url, "SELECT count(*) FROM organizationoption") == ORGANIZATIONS
        assert _chunks(region_url) == 2 * ORGANIZATIONS // CHUNK
