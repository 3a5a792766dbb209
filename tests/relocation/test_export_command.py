"""`silo export` against the running control silo and region `us`: scopes and filters as Sentry's
exports, the file's format, encryption, and failures that leave no file behind."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.cli import cli
from shared.relocation import crypto
from shared.relocation.compare.run import compare_exports
from shared.relocation.models import EXPORT_ORDER
from tests.conftest import TEST_SECRET
from tests.integration.processes import silo_command
from tests.integration.terminal import converse
from tests.relocation.conftest import Exporter, Importer, write_export
from tests.relocation.installation import installation
from tests.relocation.test_import_command import pem_file

Record = dict[str, Any]


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def imported(run_import: Importer, region_address: str, tmp_path: Path) -> Path:
    """The generated installation, imported in global scope; returns its file."""
    source = write_export(tmp_path / "installation.json", installation())
    result = run_import("global", source, "--region", region_address)
    assert result.exit_code == 0, result.findings
    return source


def read(path: Path) -> list[Record]:
    records = json.loads(path.read_text())
    assert isinstance(records, list)
    return records


def models_of(records: list[Record]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        counts[record["model"]] = counts.get(record["model"], 0) + 1
    return counts


def named(records: list[Record], model: str, field: str) -> list[Any]:
    return [r["fields"][field] for r in records if r["model"] == f"sentry.{model}"]


def test_a_global_export_equals_the_imported_file(
    imported: Path, run_export: Exporter, tmp_path: Path
) -> None:
    result = run_export("global", tmp_path / "out.json")

    assert result.exit_code == 0, result.findings
    assert result.findings == []
    exported = tmp_path / "out.json"
    assert compare_exports(lambda: imported.open("rb"), lambda: exported.open("rb")) == []


def test_the_file_is_sentrys_format(imported: Path, run_export: Exporter, tmp_path: Path) -> None:
    run_export("global", tmp_path / "out.json")

    text = (tmp_path / "out.json").read_text()
    records = json.loads(text)
    assert text.startswith('[\n  {\n    "model": "sentry.email",\n    "pk": ')
    order = [EXPORT_ORDER.index(r["model"]) for r in records]
    assert order == sorted(order)
    for model in {r["model"] for r in records}:
        pks = [r["pk"] for r in records if r["model"] == model]
        assert pks == sorted(pks), model
    (staff,) = [r for r in records if r["model"] == "sentry.user" and r["fields"]["is_staff"]]
    assert staff["fields"]["date_joined"] == "2023-06-22T22:59:55.488Z"
    assert staff["fields"]["flags"] == "0"
    (member,) = [r for r in records if r["model"] == "sentry.organizationmember"][:1]
    assert set(member["fields"]) >= {"organization", "user_id", "inviter_id"}
    (token,) = [r for r in records if r["model"] == "sentry.orgauthtoken"][:1]
    assert token["fields"]["scope_list"] == "['org:ci']"


def test_indent_is_honoured(imported: Path, run_export: Exporter, tmp_path: Path) -> None:
    run_export("users", tmp_path / "four.json", "--indent", "4")
    run_export("users", tmp_path / "two.json")

    assert (tmp_path / "four.json").read_text().startswith('[\n    {\n        "model": ')
    assert read(tmp_path / "four.json") == read(tmp_path / "two.json")


def test_users_scope_takes_the_user_models_of_the_filtered_users(
    imported: Path, run_export: Exporter, tmp_path: Path
) -> None:
    result = run_export("users", tmp_path / "out.json", "--filter-usernames", "user2,USER3")

    assert result.exit_code == 0, result.findings
    records = read(tmp_path / "out.json")
    assert models_of(records) == {
        "sentry.email": 2,
        "sentry.user": 2,
        "sentry.useremail": 2,
        "sentry.useroption": 2,
    }
    assert named(records, "user", "username") == ["user2", "user3"]
    assert named(records, "email", "email") == ["user2@example.com", "user3@example.com"]
    users = {r["pk"] for r in records if r["model"] == "sentry.user"}
    assert set(named(records, "useremail", "user")) == users


def test_organizations_scope_cascades_to_members_users(
    imported: Path, run_export: Exporter, tmp_path: Path
) -> None:
    result = run_export("organizations", tmp_path / "out.json", "--filter-org-slugs", "globex")

    assert result.exit_code == 0, result.findings
    records = read(tmp_path / "out.json")
    assert named(records, "organization", "slug") == ["globex"]
    # globex's members are user2 and user3 (and an invite without a user).
    assert named(records, "user", "username") == ["user2", "user3"]
    assert len(named(records, "organizationmember", "role")) == 3
    assert named(records, "team", "slug") == ["globex-team"]
    assert named(records, "project", "slug") == ["globex-app"]
    assert len(named(records, "organizationmemberteam", "team")) == 2
    assert len(named(records, "orgauthtoken", "name")) == 1
    assert "sentry.userrole" not in models_of(records)
    assert "sentry.authenticator" not in models_of(records)


def test_config_scope_takes_privileged_users_with_roles_and_permissions(
    imported: Path, run_export: Exporter, tmp_path: Path
) -> None:
    result = run_export("config", tmp_path / "out.json")

    assert result.exit_code == 0, result.findings
    records = read(tmp_path / "out.json")
    assert named(records, "user", "username") == ["user1"]
    assert named(records, "userpermission", "permission") == ["users.admin"]
    assert named(records, "userrole", "name") == ["Super Admin"]
    assert len(named(records, "userroleuser", "role")) == 1
    assert "sentry.organization" not in models_of(records)


def test_an_export_to_stdout(imported: Path, run_export: Exporter) -> None:
    result = run_export("users", "-", "--filter-usernames", "user4")

    assert result.exit_code == 0, result.findings
    records = json.loads(result.stdout)
    assert named(records, "user", "username") == ["user4"]


def test_an_encrypted_export_imports_with_the_private_key(
    imported: Path,
    run_export: Exporter,
    run_import: Importer,
    region_address: str,
    tmp_path: Path,
    private_key: rsa.RSAPrivateKey,
) -> None:
    public = tmp_path / "key.pub"
    public.write_bytes(
        private_key.public_key().public_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PublicFormat.SubjectPublicKeyInfo,
        )
    )
    result = run_export("users", tmp_path / "out.tar", "--encrypt-with", str(public))

    assert result.exit_code == 0, result.findings
    assert not (tmp_path / "out.tar").read_bytes().startswith(b"[")
    again = run_import(
        "users",
        tmp_path / "out.tar",
        "--decrypt-with",
        str(pem_file(tmp_path / "key.pem", private_key)),
        "--merge-users",
    )
    assert again.exit_code == 0, again.findings


@pytest.mark.parametrize(
    ("scope", "arguments", "field"),
    [
        ("users", ["--filter-usernames", "user1,nobody"], "--filter-usernames"),
        ("organizations", ["--filter-org-slugs", "acme,initech"], "--filter-org-slugs"),
        ("global", ["--filter-usernames", "user1"], "--filter-usernames"),
        ("users", ["--filter-org-slugs", "acme"], "--filter-org-slugs"),
    ],
)
def test_a_bad_filter_is_a_finding_and_no_file(
    imported: Path,
    run_export: Exporter,
    tmp_path: Path,
    scope: str,
    arguments: list[str],
    field: str,
) -> None:
    result = run_export(scope, tmp_path / "out.json", *arguments)

    assert result.exit_code == 1
    (finding,) = result.findings
    assert finding["field"] == field
    assert f"in option {field}:" in result.stderr
    assert not (tmp_path / "out.json").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.json")] == []


def test_an_unreadable_public_key_is_a_finding_and_no_file(
    imported: Path, run_export: Exporter, tmp_path: Path
) -> None:
    (tmp_path / "bad.pem").write_text("not a key")

    result = run_export("users", tmp_path / "out.tar", "--encrypt-with", str(tmp_path / "bad.pem"))

    assert result.exit_code == 1
    assert "not a readable PEM public key" in result.findings[0]["reason"]
    assert not (tmp_path / "out.tar").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.tar")] == []


def test_an_unwritable_destination_is_a_finding(run_export: Exporter, tmp_path: Path) -> None:
    result = run_export("users", tmp_path / "missing-directory" / "out.json")

    assert result.exit_code == 1
    assert "cannot write" in result.findings[0]["reason"]


def test_progress_is_a_bar_on_a_terminal(
    imported: Path, run_export: Exporter, region_address: str, tmp_path: Path
) -> None:
    arguments = ["export", "global", str(tmp_path / "out.json"), "--no-prompt"]
    session = converse(
        [*arguments, "--control", run_export.control, "--region", run_export.region],
        [],
        env={"SILO_RPC_SHARED_SECRETS": TEST_SECRET},
    )

    assert session.exit_code == 0, session.transcript
    assert "rows/s" in session.transcript
    assert "sentry.organizationmemberteam" in session.transcript
    assert f"exported {len(read(tmp_path / 'out.json'))} rows" in session.transcript


def test_progress_is_plain_lines_elsewhere(
    imported: Path, run_export: Exporter, tmp_path: Path
) -> None:
    result = run_export("users", tmp_path / "out.json")

    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert re.fullmatch(r"\d+ rows \(\d+ rows/s\), now sentry\.\w+", lines[0]), lines
    assert f"exported {len(read(tmp_path / 'out.json'))} rows to" in result.stderr
    assert not any("\x1b[" in line for line in lines)


def test_a_fifo_destination_is_written_through_not_replaced(
    imported: Path, run_export: Exporter, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()

    result = run_export("users", fifo, "--filter-usernames", "user2")

    reader.join(timeout=30)
    assert result.exit_code == 0, result.findings
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert named(json.loads(received[0]), "user", "username") == ["user2"]


def test_a_symlinked_destination_writes_its_target(
    imported: Path, run_export: Exporter, tmp_path: Path
) -> None:
    (tmp_path / "target.json").write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "target.json")

    result = run_export("users", link, "--filter-usernames", "user2")

    assert result.exit_code == 0, result.findings
    assert link.is_symlink()
    assert named(read(tmp_path / "target.json"), "user", "username") == ["user2"]


def test_a_directory_destination_is_refused_before_anything_is_read(
    imported: Path, run_export: Exporter, tmp_path: Path
) -> None:
    result = run_export("users", tmp_path)

    assert result.exit_code == 1
    assert "is a directory" in result.findings[0]["reason"]
    assert "rows" not in result.stderr.split("error:")[0]


def test_an_encrypted_export_to_a_pipe(
    imported: Path, run_export: Exporter, tmp_path: Path, private_key: rsa.RSAPrivateKey
) -> None:
    public = tmp_path / "key.pub"
    public.write_bytes(
        private_key.public_key().public_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PublicFormat.SubjectPublicKeyInfo,
        )
    )
    arguments = ["export", "users", "-", "--encrypt-with", str(public), "--no-prompt"]
    env = {**os.environ, "SILO_RPC_SHARED_SECRETS": TEST_SECRET}
    piped = subprocess.run(
        silo_command(*arguments, "--control", run_export.control, "--silent"),
        capture_output=True,
        env=env,
        check=False,
    )

    assert piped.returncode == 0, piped.stderr.decode()
    (tmp_path / "out.tar").write_bytes(piped.stdout)
    with crypto.decrypted(tmp_path / "out.tar", private_key) as plain:
        records = json.loads(plain.read())
    assert len(named(records, "user", "username")) == 6


def test_a_silo_that_cannot_be_reached_is_a_finding(run_export: Exporter, tmp_path: Path) -> None:
    run_export.control = "127.0.0.1:1"

    result = run_export("users", tmp_path / "out.json")

    assert result.exit_code == 1
    (finding,) = result.findings
    assert "control silo" in finding["reason"]
    assert not (tmp_path / "out.json").exists()


def test_an_empty_filter_is_refused(run_export: Exporter, tmp_path: Path) -> None:
    for flag, value in [
        ("--filter-usernames", ""),
        ("--filter-usernames", ","),
        ("--filter-org-slugs", ""),
    ]:
        arguments = ["export", "users", str(tmp_path / "out.json"), flag, value, "--no-prompt"]
        result = CliRunner().invoke(
            cli,
            [*arguments, "--control", run_export.control],
            env={"SILO_RPC_SHARED_SECRETS": TEST_SECRET},
        )

        assert result.exit_code == 2, (flag, value, result.output)
        assert "names nothing" in result.stderr
        assert not (tmp_path / "out.json").exists()
