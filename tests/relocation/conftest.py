"""Helpers of the import tests: export files written record by record in Sentry's shape, the
`silo import` command run in process against the control server, and row counts of every
control table (to show a refused import wrote nothing)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from control_silo.bootstrap import ControlSilo
from control_silo.db.base import ControlBase
from region_silo.bootstrap import RegionSilo
from shared.cli import cli
from shared.rpc.server import RunningServer
from tests.conftest import TEST_SECRET
from tests.region.conftest import (  # noqa: F401 - the global scope needs a region to check
    region_database_url,
    region_server,
    region_silo,
    region_silo_session,
)

Record = dict[str, Any]
RowT = TypeVar("RowT")

# A Django hash as Sentry exports it (the digest does not matter: imports never check it).
SENTRY_PASSWORD = "pbkdf2_sha256$150000$iEvdIknqYjTr$+QsGn0tfIJ1FZLxQI37mVU1gL2KbL/wqjMtG/dFhsMA="
WHEN = "2023-06-22T22:59:55.488Z"
# Sentry's export fixtures, in the shared compatibility directory beside the repository.
FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "compat" / "sentry-fixtures"


def record(model: str, pk: int, **fields: Any) -> Record:
    """One element of an export: ``{"model": "sentry.<model>", "pk": pk, "fields": {...}}``."""
    return {"model": f"sentry.{model}", "pk": pk, "fields": fields}


def user(pk: int, username: str, **fields: Any) -> Record:
    """A ``sentry.user`` with every field Sentry exports (privileged unless told otherwise)."""
    values: dict[str, Any] = {
        "password": SENTRY_PASSWORD,
        "last_login": None,
        "username": username,
        "name": username.title(),
        "email": f"{username}@example.com",
        "is_staff": True,
        "is_active": True,
        "is_superuser": True,
        "is_managed": True,
        "is_sentry_app": None,
        "is_password_expired": False,
        "is_unclaimed": False,
        "last_password_change": "2023-06-22T22:59:57.023Z",
        "flags": "0",
        "session_nonce": None,
        "date_joined": WHEN,
        "last_active": "2023-06-22T22:59:55.489Z",
        "avatar_type": 0,
        "avatar_url": None,
    }
    values.update(fields)
    return record("user", pk, **values)


def email(pk: int, address: str) -> Record:
    """A ``sentry.email`` row."""
    return record("email", pk, email=address, date_added=WHEN)


def useremail(pk: int, user_ref: int | list[str], address: str, **fields: Any) -> Record:
    """A verified ``sentry.useremail`` of the user ``user_ref`` (a pk or a natural key)."""
    values: dict[str, Any] = {
        "user": user_ref,
        "email": address,
        "validation_hash": "mCnWesSVvYQcq7qXQ36AZHwosAd6cghE",
        "date_hash_added": "2023-06-22T22:59:55.521Z",
        "is_verified": True,
    }
    values.update(fields)
    return record("useremail", pk, **values)


def useroption(
    pk: int,
    user_ref: int | list[str],
    key: str,
    value: str,
    *,
    project_id: int | None = None,
    organization_id: int | None = None,
) -> Record:
    """A ``sentry.useroption``; ``value`` is JSON text, as Sentry writes it."""
    return record(
        "useroption",
        pk,
        user=user_ref,
        project_id=project_id,
        organization_id=organization_id,
        key=key,
        value=value,
    )


def userpermission(pk: int, user_ref: int | list[str], permission: str) -> Record:
    """A ``sentry.userpermission``."""
    return record("userpermission", pk, user=user_ref, permission=permission)


def userrole(pk: int, name: str, permissions: str) -> Record:
    """A ``sentry.userrole``; ``permissions`` as Sentry writes it, Python's text of a list."""
    return record(
        "userrole",
        pk,
        date_updated="2023-06-22T23:00:00.123Z",
        date_added="2023-06-22T22:54:27.960Z",
        name=name,
        permissions=permissions,
    )


def userroleuser(pk: int, user_ref: int | list[str], role: int) -> Record:
    """A ``sentry.userroleuser``."""
    return record(
        "userroleuser",
        pk,
        date_updated="2023-06-22T23:00:00.123Z",
        date_added="2023-06-22T22:59:57.000Z",
        user=user_ref,
        role=role,
    )


def authenticator(pk: int, user_ref: int | list[str], kind: int, config: str) -> Record:
    """A ``sentry.authenticator``; ``config`` is opaque text."""
    return record(
        "authenticator",
        pk,
        user=user_ref,
        created_at="2023-07-27T16:30:53.325Z",
        last_used_at=None,
        type=kind,
        config=config,
    )


def userip(pk: int, user_ref: int | list[str], address: str) -> Record:
    """A ``sentry.userip``."""
    return record(
        "userip",
        pk,
        user=user_ref,
        ip_address=address,
        country_code="AT",
        region_code="9",
        first_seen="2012-04-05T03:29:45.000Z",
        last_seen="2012-04-05T03:29:46.000Z",
    )


def write_export(path: Path, records: Sequence[Record], indent: int | None = 2) -> Path:
    """Writes ``records`` as Sentry's exporter does: one JSON array, indented by default."""
    path.write_text(json.dumps(list(records), indent=indent))
    return path


@dataclass(frozen=True)
class ImportResult:
    """What one `silo import` run printed, its exit code, and its findings file's content."""

    exit_code: int
    stdout: str
    stderr: str
    findings: list[dict[str, Any]]

    @property
    def finding(self) -> dict[str, Any]:
        """The only finding."""
        assert len(self.findings) == 1, self.findings
        return self.findings[0]


class Importer:
    """Runs `silo import SCOPE SOURCE ...` in process against the control server, always with a
    findings file."""

    def __init__(self, address: str, directory: Path) -> None:
        self.address = address
        self.directory = directory
        self.runs = 0

    def arguments(self, scope: str, source: Path, *extra: str) -> tuple[list[str], Path]:
        """The command's arguments (after ``silo``) and the findings file they name."""
        self.runs += 1
        findings = self.directory / f"findings-{self.runs}.json"
        return (
            [
                "import",
                scope,
                str(source),
                "--control",
                self.address,
                "--no-prompt",
                "--findings-file",
                str(findings),
                *extra,
            ],
            findings,
        )

    def __call__(self, scope: str, source: Path, *extra: str) -> ImportResult:
        arguments, findings_file = self.arguments(scope, source, *extra)
        result = CliRunner().invoke(
            cli, arguments, env={"SILO_RPC_SHARED_SECRETS": TEST_SECRET}, catch_exceptions=False
        )
        findings = json.loads(findings_file.read_text()) if findings_file.exists() else None
        assert isinstance(findings, list), f"no findings file: {result.output}"
        return ImportResult(result.exit_code, result.stdout, result.stderr, findings)


@pytest.fixture
def run_import(control_server: RunningServer, tmp_path: Path) -> Importer:
    """`silo import` against the control server of this session."""
    return Importer(f"127.0.0.1:{control_server.port}", tmp_path)


@dataclass(frozen=True)
class ExportResult:
    """What one `silo export` run printed, its exit code, and its findings file's content."""

    exit_code: int
    stdout: bytes
    stderr: str
    findings: list[dict[str, Any]]


class Exporter:
    """Runs `silo export SCOPE DEST ...` in process against the control server and region `us`,
    always with a findings file."""

    def __init__(self, control: str, region: str, directory: Path) -> None:
        self.control = control
        self.region = region
        self.directory = directory
        self.runs = 0

    def __call__(self, scope: str, destination: Path | str, *extra: str) -> ExportResult:
        self.runs += 1
        findings_file = self.directory / f"export-findings-{self.runs}.json"
        arguments = [
            "export",
            scope,
            str(destination),
            "--control",
            self.control,
            "--region",
            self.region,
            "--no-prompt",
            "--findings-file",
            str(findings_file),
            *extra,
        ]
        result = CliRunner().invoke(
            cli, arguments, env={"SILO_RPC_SHARED_SECRETS": TEST_SECRET}, catch_exceptions=False
        )
        findings = json.loads(findings_file.read_text()) if findings_file.exists() else None
        assert isinstance(findings, list), f"no findings file: {result.output}"
        return ExportResult(result.exit_code, result.stdout_bytes, result.stderr, findings)


@pytest.fixture
def run_export(
    control_server: RunningServer,
    region_silo: RegionSilo,  # noqa: F811
    region_server: RunningServer,  # noqa: F811
    tmp_path: Path,
) -> Exporter:
    """`silo export` against the control server and region `us` of this session."""
    return Exporter(
        f"127.0.0.1:{control_server.port}", f"us=127.0.0.1:{region_server.port}", tmp_path
    )


RowCounts = Callable[[], dict[str, int]]


def count_rows(control: ControlSilo) -> dict[str, int]:
    """The number of rows of every control table."""
    with control.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in ControlBase.metadata.sorted_tables
        }


@pytest.fixture
def row_counts(control_silo: ControlSilo) -> RowCounts:
    """Counts the rows of every control table."""
    return lambda: count_rows(control_silo)


def rows_of(control: ControlSilo, model: type[RowT]) -> list[RowT]:
    """Every row of one control table, by id."""
    with control.sessions() as session:
        found = session.scalars(select(model).order_by(model.id))  # type: ignore[attr-defined]
        return list(found)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Writes records to ``export.json`` (or the name given) in the test's directory."""

    def write_records(records: Sequence[Record], name: str = "export.json") -> Path:
        return write_export(tmp_path / name, records)

    return write_records


@dataclass(frozen=True)
class ModelCounts:
    """One line of the import's summary table."""

    inserted: int
    reused: int
    overwrote: int
    renamed: int
    skipped: int


def summary_table(stdout: str) -> dict[str, ModelCounts]:
    """The per-model lines of the summary `silo import` prints."""
    table: dict[str, ModelCounts] = {}
    for line in stdout.splitlines():
        parts = line.split()
        if (
            len(parts) == 6
            and parts[0].startswith("sentry.")
            and all(part.isdigit() for part in parts[1:])
        ):
            table[parts[0]] = ModelCounts(*(int(part) for part in parts[1:]))
    return table


@pytest.fixture
def region_address(region_silo: RegionSilo, region_server: RunningServer) -> str:  # noqa: F811
    """``--region`` for global imports: the in-process region `us`, emptied after the test."""
    return f"us=127.0.0.1:{region_server.port}"
