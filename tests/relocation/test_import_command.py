"""`silo import` as an operator runs it: bad input refused with a finding and nothing written,
encrypted exports, filters, unknown models, full restores into silos that hold users, and
imports resumed by their id after a failure or a kill."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import tarfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from sqlalchemy import delete, func, select

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import ControlImportChunkRow, EmailRow, UserOptionRow, UserRow
from region_silo.bootstrap import RegionSilo
from shared.relocation import crypto
from shared.relocation.rpc import IMPORT_CHUNK, relocation_registration
from shared.rpc.server import create_server
from shared.services.organization.service import OrganizationService
from shared.services.user.model import NewUser
from shared.services.user.service import UserService
from tests.conftest import TEST_SECRET
from tests.integration.processes import silo_command
from tests.relocation.conftest import (
    Importer,
    Record,
    RowCounts,
    email,
    record,
    rows_of,
    summary_table,
    user,
    useremail,
    useroption,
    write_export,
)

OAEP_SHA256 = OAEP(mgf=MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def valid_export() -> list[Record]:
    return [
        email(1, "alice@example.com"),
        user(1, "alice"),
        user(2, "bob"),
        useremail(1, 1, "alice@example.com"),
        useremail(2, 2, "bob@example.com"),
        useroption(1, 1, "timezone", '"UTC"'),
    ]


def json_bytes(records: list[Record]) -> bytes:
    return json.dumps(records, indent=2).encode()


def without(field: str, item: Record) -> Record:
    fields = dict(item["fields"])
    del fields[field]
    return {**item, "fields": fields}


def changed(item: Record, **fields: Any) -> Record:
    return {**item, "fields": {**item["fields"], **fields}}


# --- bad input: a finding naming the record, exit status 1, nothing written ---------------

BAD_INPUT: list[tuple[str, bytes, dict[str, Any]]] = [
    ("plain text", b"this is not json", {"kind": "DeserializationFailed"}),
    ("not JSON", b"[this is not json]", {"kind": "DeserializationFailed"}),
    ("empty", b"", {"kind": "DeserializationFailed"}),
    (
        "truncated",
        json_bytes(valid_export())[: len(json_bytes(valid_export())) * 2 // 3],
        {"kind": "DeserializationFailed"},
    ),
    ("not an array", json.dumps(user(1, "alice")).encode(), {"kind": "DeserializationFailed"}),
    (
        "array of numbers",
        b"[1, 2, 3]",
        {"kind": "DeserializationFailed", "model": "", "left_pk": None},
    ),
    (
        "record without model",
        json.dumps([{"pk": 1, "fields": {"username": "alice"}}]).encode(),
        {"kind": "DeserializationFailed", "model": "", "left_pk": None},
    ),
    (
        "record without pk",
        json.dumps([{"model": "sentry.user", "fields": user(1, "a")["fields"]}]).encode(),
        {"kind": "DeserializationFailed", "model": "sentry.user", "ordinal": 1},
    ),
    (
        "record without fields",
        json.dumps([{"model": "sentry.user", "pk": 7}]).encode(),
        {"kind": "DeserializationFailed", "model": "sentry.user", "left_pk": 7},
    ),
    (
        "user without username",
        json_bytes([without("username", user(1, "maximum")), user(2, "bob")]),
        {"kind": "ValidationError", "model": "sentry.user", "left_pk": 1, "field": "username"},
    ),
    (
        "boolean as text",
        json_bytes([user(1, "alice"), user(2, "bob", is_staff="yes")]),
        {"kind": "ValidationError", "model": "sentry.user", "left_pk": 2, "field": "is_staff"},
    ),
    (
        "date as a number",
        json_bytes([user(1, "alice", date_joined=1687474795)]),
        {"kind": "ValidationError", "model": "sentry.user", "left_pk": 1, "field": "date_joined"},
    ),
    (
        "address as a number",
        json_bytes([email(1, "a@example.com"), changed(email(2, ""), email=5), user(1, "a")]),
        {"kind": "ValidationError", "model": "sentry.email", "left_pk": 2, "field": "email"},
    ),
    (
        "duplicate pk",
        json_bytes([user(1, "alice"), user(1, "bob")]),
        {"kind": "ValidationError", "model": "sentry.user", "left_pk": 1, "field": "pk"},
    ),
    (
        "descending pks",
        json_bytes([user(2, "alice"), user(1, "bob")]),
        {"kind": "ValidationError", "model": "sentry.user", "left_pk": 1, "field": "pk"},
    ),
    (
        "useremail before its user",
        json_bytes([email(1, "a@example.com"), useremail(1, 1, "a@example.com"), user(1, "a")]),
        {"kind": "IntegrityError", "model": "sentry.useremail", "left_pk": 1, "field": "user"},
    ),
    (
        "user after a model that refers to it",
        json_bytes(
            [
                email(1, "a@example.com"),
                changed(useroption(1, 1, "timezone", '"UTC"'), user=None),
                user(1, "a"),
            ]
        ),
        {"kind": "UnexpectedModel", "model": "sentry.user", "left_pk": 1},
    ),
    (
        "users not together",
        json_bytes([user(1, "alice"), email(1, "a@example.com"), user(2, "bob")]),
        {"kind": "UnexpectedModel", "model": "sentry.user", "left_pk": 2},
    ),
    (
        "foreign key into nothing",
        json_bytes([user(1, "alice"), useremail(1, 1, "a@example.com"), useremail(2, 9, "b@x.io")]),
        {"kind": "IntegrityError", "model": "sentry.useremail", "left_pk": 2, "field": "user"},
    ),
    (
        "username key into nothing",
        json_bytes([user(1, "alice"), useremail(1, ["nobody"], "a@example.com")]),
        {"kind": "ValidationError", "model": "sentry.useremail", "left_pk": 1, "field": "user"},
    ),
]


@pytest.mark.parametrize(
    ("content", "expected"),
    [pytest.param(content, expected, id=name) for name, content, expected in BAD_INPUT],
)
def test_bad_input_is_refused_with_a_finding_and_nothing_written(
    control_silo: ControlSilo,
    run_import: Importer,
    row_counts: RowCounts,
    tmp_path: Path,
    content: bytes,
    expected: dict[str, Any],
) -> None:
    source = tmp_path / "export.json"
    source.write_bytes(content)
    before = row_counts()

    result = run_import("users", source)

    assert result.exit_code == 1, result.stderr
    assert row_counts() == before
    finding = result.finding
    assert set(finding) >= {"finding", "kind", "on", "left_pk", "right_pk", "field", "reason"}
    assert finding["reason"]
    for name, value in expected.items():
        actual = finding["on"][name] if name in ("model", "ordinal") else finding[name]
        assert actual == value, (name, finding)
    assert finding["finding"] == f"Import{finding['kind']}"
    assert f"error: {finding['kind']}" in result.stderr
    assert "--import-uuid" in result.stderr  # how to resume once the cause is fixed


def test_a_successful_import_writes_an_empty_findings_file(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    result = run_import("users", write_export(tmp_path / "export.json", valid_export()))

    assert result.exit_code == 0, result.stderr
    assert result.findings == []
    assert len(rows_of(control_silo, UserRow)) == 2


def test_unknown_models_are_skipped_and_counted_in_the_summary(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    records = [
        {"model": "sites.site", "pk": 1, "fields": {"domain": "example.com", "name": "x"}},
        record("option", 1, key="sentry:latest_version", value='"23.7.1"'),
        record("option", 2, key="sentry:last_worker_ping", value="1690475453.0"),
        *valid_export(),
        record("relay", 1, relay_id="r", public_key="k", is_internal=True),
    ]

    result = run_import("users", write_export(tmp_path / "export.json", records))

    assert result.exit_code == 0, result.stderr
    assert result.findings == []
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "skipped 2 rows: Silo does not keep this model" in lines["sentry.option"]
    assert "skipped 1 rows" in lines["sentry.relay"]
    assert "skipped 1 rows" in lines["sites.site"]
    assert summary_table(result.stdout)["sentry.user"].inserted == 2


# --- encrypted exports ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem_file(path: Path, key: rsa.RSAPrivateKey) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def tar_of(members: list[tuple[str, bytes]]) -> bytes:
    """An uncompressed tar of the members, in order."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def sentry_members(plaintext: bytes, key: rsa.RSAPrivateKey) -> list[tuple[str, bytes]]:
    """The three members Sentry's exporter writes, in its order."""
    fernet_key = Fernet.generate_key()
    return [
        ("export.json", Fernet(fernet_key).encrypt(plaintext)),
        ("data.key", key.public_key().encrypt(fernet_key, OAEP_SHA256)),
        ("key.pub", crypto.public_key_pem(key)),
    ]


def test_an_encrypted_export_imports_with_its_private_key(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path, private_key: rsa.RSAPrivateKey
) -> None:
    plain = write_export(tmp_path / "export.json", valid_export())
    public = tmp_path / "key.pub"
    public.write_bytes(crypto.public_key_pem(private_key))
    encrypted = tmp_path / "export.tar"
    with encrypted.open("wb") as destination:
        crypto.encrypt(plain, public, destination)

    result = run_import(
        "users", encrypted, "--decrypt-with", str(pem_file(tmp_path / "key.pem", private_key))
    )

    assert result.exit_code == 0, result.stderr
    assert result.findings == []
    assert [row.username for row in rows_of(control_silo, UserRow)] == ["alice", "bob"]


def test_a_tar_sentry_wrote_imports(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path, private_key: rsa.RSAPrivateKey
) -> None:
    encrypted = tmp_path / "export.tar"
    # Sentry encrypts the compact JSON.
    compact = json.dumps(valid_export(), separators=(",", ":")).encode()
    encrypted.write_bytes(tar_of(sentry_members(compact, private_key)))

    result = run_import(
        "users", encrypted, "--decrypt-with", str(pem_file(tmp_path / "key.pem", private_key))
    )

    assert result.exit_code == 0, result.stderr
    assert len(rows_of(control_silo, UserRow)) == 2


Members = list[tuple[str, bytes]]
Damage = Callable[[Members, rsa.RSAPrivateKey], Members]


def tampered(members: Members, key: rsa.RSAPrivateKey) -> Members:
    """One character of the Fernet token changed."""
    name, token = members[0]
    middle = len(token) // 2
    flipped = b"B" if token[middle : middle + 1] != b"B" else b"C"
    return [(name, token[:middle] + flipped + token[middle + 1 :]), *members[1:]]


def for_another_key(members: Members, key: rsa.RSAPrivateKey) -> Members:
    """A whole tar made for another key pair."""
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return sentry_members(json_bytes(valid_export()), other)


ENCRYPTED_DAMAGE: list[tuple[str, Damage, str]] = [
    ("another key's tar", for_another_key, "The public key does not match"),
    ("tampered token", tampered, "altered or truncated"),
    ("missing key.pub", lambda members, key: members[:2], "lacks key.pub"),
    ("missing data.key", lambda members, key: [members[0], members[2]], "lacks data.key"),
    (
        "extra member",
        lambda members, key: [*members, ("notes.txt", b"hello")],
        "unexpected member 'notes.txt'",
    ),
]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [pytest.param(damage, reason, id=name) for name, damage, reason in ENCRYPTED_DAMAGE],
)
def test_a_damaged_or_foreign_tar_is_refused(
    control_silo: ControlSilo,
    run_import: Importer,
    row_counts: RowCounts,
    tmp_path: Path,
    private_key: rsa.RSAPrivateKey,
    damage: Damage,
    reason: str,
) -> None:
    members = sentry_members(json_bytes(valid_export()), private_key)
    encrypted = tmp_path / "export.tar"
    encrypted.write_bytes(tar_of(damage(members, private_key)))
    before = row_counts()

    result = run_import(
        "users", encrypted, "--decrypt-with", str(pem_file(tmp_path / "key.pem", private_key))
    )

    assert result.exit_code == 1
    assert row_counts() == before
    assert result.finding["kind"] == "DeserializationFailed"
    assert reason in result.finding["reason"]
    assert reason in result.stderr


def test_an_encrypted_export_without_a_key_is_refused(
    control_silo: ControlSilo,
    run_import: Importer,
    row_counts: RowCounts,
    tmp_path: Path,
    private_key: rsa.RSAPrivateKey,
) -> None:
    encrypted = tmp_path / "export.tar"
    encrypted.write_bytes(tar_of(sentry_members(json_bytes(valid_export()), private_key)))
    before = row_counts()

    result = run_import("users", encrypted)

    assert result.exit_code != 0
    assert row_counts() == before
    assert "--decrypt-with" in result.stderr
    assert result.finding["kind"] == "DeserializationFailed"
    assert "--decrypt-with" in result.finding["reason"]


# --- filters --------------------------------------------------------------------------------


def three_users() -> list[Record]:
    return [
        email(1, "alice@example.com"),
        email(2, "bob@example.com"),
        email(3, "carol@example.com"),
        user(1, "alice"),
        user(2, "bob"),
        user(3, "carol"),
        useremail(1, 1, "alice@example.com"),
        useremail(2, 2, "bob@example.com"),
        useremail(3, 2, "bob@work.example"),
        useremail(4, 3, "carol@example.com"),
        useroption(1, 1, "timezone", '"UTC"'),
        useroption(2, 2, "timezone", '"Europe/Vienna"'),
        useroption(3, 3, "language", '"de"'),
    ]


@pytest.mark.parametrize("how", ["flag", "file"])
def test_a_username_filter_leaves_the_other_users_rows_out(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path, how: str
) -> None:
    source = write_export(tmp_path / "export.json", three_users())
    if how == "flag":
        arguments = ["--filter-usernames", "alice,carol"]
    else:
        names = tmp_path / "names.txt"
        names.write_text("alice\n\ncarol\n")
        arguments = ["--filter-usernames-file", str(names)]

    result = run_import("users", source, *arguments)

    assert result.exit_code == 0, result.stderr
    users = {row.username: row.id for row in rows_of(control_silo, UserRow)}
    assert set(users) == {"alice", "carol"}
    service = control_silo.services.get(UserService)
    for name in ("alice", "carol"):
        found = service.get_user(user_id=users[name])
        assert [e.email for e in found.useremails] == [f"{name}@example.com"]
    options = rows_of(control_silo, UserOptionRow)
    assert sorted((row.user_id, row.key) for row in options) == [
        (users["alice"], "timezone"),
        (users["carol"], "language"),
    ]
    addresses = {row.email for row in rows_of(control_silo, EmailRow)}
    assert addresses == {"alice@example.com", "carol@example.com"}
    summary = summary_table(result.stdout)
    assert summary["sentry.user"].skipped == 1
    assert summary["sentry.useremail"].skipped == 2
    assert summary["sentry.useroption"].skipped == 1


# --- full restores --------------------------------------------------------------------------


def test_a_global_import_refuses_a_control_silo_that_holds_users(
    control_silo: ControlSilo,
    run_import: Importer,
    row_counts: RowCounts,
    tmp_path: Path,
    region_address: str,
) -> None:
    control_silo.services.get(UserService).create_user(
        user=NewUser(username="someone", email="someone@example.com")
    )
    before = row_counts()
    source = write_export(tmp_path / "export.json", valid_export())

    result = run_import("global", source, "--region", region_address)

    assert result.exit_code == 1
    assert row_counts() == before
    assert "holds users" in result.finding["reason"]
    assert "holds users" in result.stderr


def test_a_global_import_into_empty_silos_resumes(
    control_silo: ControlSilo,
    run_import: Importer,
    row_counts: RowCounts,
    tmp_path: Path,
    region_address: str,
) -> None:
    source = write_export(tmp_path / "export.json", valid_export())
    arguments = ["--region", region_address, "--import-uuid", "restore-1", "--chunk-size", "1"]

    first = run_import("global", source, *arguments)
    after_first = row_counts()
    again = run_import("global", source, *arguments)

    assert first.exit_code == 0, first.stderr
    assert again.exit_code == 0, again.stderr
    assert row_counts() == after_first
    assert after_first["user"] == 2


# --- resuming by import id ------------------------------------------------------------------


def chunks_of(control: ControlSilo, import_uuid: str) -> int:
    with control.engine.connect() as connection:
        return (
            connection.scalar(
                select(func.count())
                .select_from(ControlImportChunkRow)
                .where(ControlImportChunkRow.import_uuid == import_uuid)
            )
            or 0
        )


class KillAtChunk:
    """The access log of a server that SIGKILLs the import process as the server ends its
    ``chunk``-th ImportChunk call: that chunk is committed, its answer not yet sent, and the
    client (which sends one chunk at a time and waits for that answer) has nothing else in
    flight, so nothing more can be written once the process is gone."""

    def __init__(self, chunk: int) -> None:
        self.chunk = chunk
        self.ended = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._started = threading.Lock()

    def start(self, command: list[str]) -> subprocess.Popen[bytes]:
        """Starts the import; no call can end before ``process`` is known."""
        with self._started:
            self.process = subprocess.Popen(
                command,
                env={**os.environ, "SILO_RPC_SHARED_SECRETS": TEST_SECRET},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        return self.process

    def record(self, method: str, code: str, seconds: float, request_id: str | None) -> None:
        """Counts the ImportChunk calls; SIGKILLs the import at the ``chunk``-th."""
        if method != IMPORT_CHUNK:
            return
        self.ended += 1
        if self.ended == self.chunk:
            with self._started:
                assert self.process is not None
                os.kill(self.process.pid, signal.SIGKILL)

    def flush(self) -> None:
        """Nothing is kept."""


def delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {table: after[table] - before[table] for table in after}


def test_the_same_import_id_twice_writes_once(
    control_silo: ControlSilo, run_import: Importer, row_counts: RowCounts, tmp_path: Path
) -> None:
    source = write_export(tmp_path / "export.json", valid_export())
    arguments = ["--import-uuid", "same-id", "--chunk-size", "1"]

    first = run_import("users", source, *arguments)
    after_first = row_counts()
    second = run_import("users", source, *arguments)

    assert first.exit_code == 0 and second.exit_code == 0, second.stderr
    assert row_counts() == after_first
    written = chunks_of(control_silo, "same-id")
    assert written == 6  # one email, two users, two useremails, one option: a row per chunk
    assert "written before" not in first.stdout
    assert f"{written} chunks were written before and not written again" in second.stdout
    assert summary_table(second.stdout) == summary_table(first.stdout)


def many_users(prefix: str, count: int) -> list[Record]:
    users = [user(pk, f"{prefix}-{pk}", is_staff=False) for pk in range(1, count + 1)]
    addresses = [useremail(pk, pk, f"{prefix}-{pk}@example.com") for pk in range(1, count + 1)]
    options = [useroption(pk, pk, "timezone", '"UTC"') for pk in range(1, count + 1)]
    return [*users, *addresses, *options]


def test_a_failed_chunk_resumes_once_the_file_is_fixed(
    control_silo: ControlSilo, run_import: Importer, row_counts: RowCounts, tmp_path: Path
) -> None:
    start = row_counts()
    clean = run_import(
        "users", write_export(tmp_path / "clean.json", many_users("clean", 30)), "--chunk-size", "7"
    )
    assert clean.exit_code == 0, clean.stderr
    one_run = delta(row_counts(), start)
    records = many_users("fixed", 30)
    records[-5] = changed(records[-5], key=5)  # an option key that is not text
    source = write_export(tmp_path / "export.json", records)
    arguments = ["--chunk-size", "7", "--import-uuid", "fix-then-resume"]
    before = row_counts()

    failed = run_import("users", source, *arguments)

    assert failed.exit_code == 1
    assert failed.finding["on"]["model"] == "sentry.useroption"
    assert failed.finding["field"] == "key"
    partial = delta(row_counts(), before)
    assert partial["user"] == 30 and partial["useroption"] == 21  # the chunks before it stay
    write_export(source, many_users("fixed", 30))

    resumed = run_import("users", source, *arguments)

    assert resumed.exit_code == 0, resumed.stderr
    assert delta(row_counts(), before) == one_run
    replayed = chunks_of(control_silo, "fix-then-resume") - 2  # the option chunks written now
    assert f"{replayed} chunks were written before and not written again" in resumed.stdout


def test_a_killed_import_resumes_to_the_rows_of_one_clean_run(
    control_silo: ControlSilo, run_import: Importer, row_counts: RowCounts, tmp_path: Path
) -> None:
    count, chunk, killed_at = 400, 10, 3
    start = row_counts()
    clean = run_import(
        "users",
        write_export(tmp_path / "clean.json", many_users("clean", count)),
        "--chunk-size",
        str(chunk),
    )
    assert clean.exit_code == 0, clean.stderr
    one_run = delta(row_counts(), start)
    assert one_run["controlimportchunk"] == 3 * count // chunk
    source = write_export(tmp_path / "export.json", many_users("killed", count))
    arguments = ["--chunk-size", str(chunk), "--import-uuid", "killed-run", "--silent"]
    # The killed import has a server of its own, whose access log kills it as its third chunk
    # is answered: the answer is lost, and what was written is known without waiting.
    kill = KillAtChunk(killed_at)
    server = create_server(
        "127.0.0.1:0",
        [relocation_registration(control_silo.chunk_writer, control_silo.exporter)],
        secrets=(TEST_SECRET,),
        access_log=kill,
    )
    (tmp_path / "killed").mkdir()
    command, _ = Importer(f"127.0.0.1:{server.port}", tmp_path / "killed").arguments(
        "users", source, *arguments
    )
    before = row_counts()

    process = kill.start(silo_command(*command))
    try:
        process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        server.stop(0)
    assert process.returncode == -signal.SIGKILL, "the import ended before it could be killed"
    written = chunks_of(control_silo, "killed-run")
    assert written == killed_at  # the chunk whose answer was lost included, none after it

    resumed = run_import("users", source, *arguments[:-1])

    assert resumed.exit_code == 0, resumed.stderr
    assert delta(row_counts(), before) == one_run
    assert f"{written} chunks were written before and not written again" in resumed.stdout
    names = [row.username for row in rows_of(control_silo, UserRow)]
    killed = sorted(name for name in names if name.startswith("killed-"))
    assert killed == sorted(f"killed-{pk}" for pk in range(1, count + 1))


def test_a_global_import_refuses_a_region_that_holds_organizations(
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    run_import: Importer,
    row_counts: RowCounts,
    tmp_path: Path,
    region_address: str,
) -> None:
    owner = control_silo.services.get(UserService).create_user(user=NewUser(username="owner"))
    region_silo.services.get(OrganizationService).create_organization(
        slug="existing", name="Existing", owner_user_id=owner.id
    )
    # The control silo is empty again; only the region holds something.
    with control_silo.engine.begin() as connection:
        connection.execute(delete(UserRow))
    acme = record(
        "sentry.organization",
        1,
        name="Acme",
        slug="acme",
        status=0,
        date_added="2023-06-22T22:59:55.488Z",
        default_role="member",
        is_test=False,
        flags="1",
    )
    records = [acme, *valid_export()]
    source = write_export(tmp_path / "export.json", records)
    before = row_counts()

    result = run_import("global", source, "--region", region_address)

    assert result.exit_code == 1
    assert result.finding["kind"] == "UnexpectedModel"
    assert "holds organizations" in result.finding["reason"]
    assert row_counts() == before


def test_a_resume_with_another_chunk_size_is_refused(
    control_silo: ControlSilo, run_import: Importer, row_counts: RowCounts, tmp_path: Path
) -> None:
    users = [user(pk, f"user{pk}") for pk in range(1, 7)]
    source = write_export(tmp_path / "export.json", users)
    first = run_import("users", source, "--import-uuid", "sized", "--chunk-size", "4")
    after_first = row_counts()

    again = run_import("users", source, "--import-uuid", "sized", "--chunk-size", "3")

    assert first.exit_code == 0, first.stderr
    assert again.exit_code == 1
    assert again.finding["kind"] == "InvalidMinOrdinal"
    assert "--chunk-size" in again.finding["reason"]
    assert row_counts() == after_first
