"""`silo import` against a bare SQLAlchemy Core baseline measured in the same run, with the peak
memory of the command and of the control silo at two sizes.

- baseline: the rows a users import writes for users, emails, useremails and options, with the
  same column values, inserted by ``executemany`` into a freshly migrated control database, one
  transaction per 2000 rows (one import chunk); only the statements and commits are timed. (The
  import also gives each user a claim token, a row the file does not hold; the baseline does not.)
- import: ``silo import users FILE`` as its own process against ``silo serve control``, timed from
  start to exit, on a generated export of 5 rows per user.
- memory: the command's max RSS (``wait4``) and the control silo's VmHWM after the import, at two
  sizes (``SILO_BENCH_IMPORT_USERS="N1,N2"``), and their growth per extra user.
- organizations: once the region silos import them, an organizations import of 2,000
  organizations with 50,000 members (and the members' users).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import FromClause, Table, func, insert, select

import control_silo.db.models  # noqa: F401 - registers the control tables on ControlBase
from control_silo.db.base import ControlBase
from control_silo.passwords import make_unusable_password
from region_silo.db.models import OrganizationMemberRow
from region_silo.relocation import region_importers
from shared.db.engine import make_engine
from shared.relocation.names import secure_token
from tests.benchmarks.cluster import SECRET, BenchCluster, control_and_region
from tests.integration.processes import run_silo, silo_command

SIZES_VARIABLE = "SILO_BENCH_IMPORT_USERS"
DEFAULT_SIZES = (100_000, 400_000)
BASELINE_ROWS_PER_TRANSACTION = 2000
ORGANIZATIONS = 2_000
MEMBERS = 50_000
RATIO_TARGET = 0.2
BYTES_PER_USER_TARGET = 100

USER = "sentry.user"
EMAIL = "sentry.email"
USEREMAIL = "sentry.useremail"
USEROPTION = "sentry.useroption"
ORGANIZATION = "sentry.organization"
MEMBER = "sentry.organizationmember"
ROWS_PER_USER = 5  # a user, an email, a useremail and two options

# What the generated rows hold besides names: the shapes of a Sentry 23.x export.
PASSWORD = "pbkdf2_sha256$150000$benchSalt123$0Kd4c2l2bVqT9mJqYl3HqZ8x0s1n4X7w2Vb5Rk9P0aE="
JOINED = "2023-06-22T22:59:55.488Z"
LAST_ACTIVE = "2023-06-22T22:59:55.489Z"
HASH_ADDED = "2023-06-22T22:59:55.521Z"
ORGANIZATION_ADDED = "2023-06-22T22:54:28.773Z"
MEMBER_ADDED = "2023-06-22T22:59:56.561Z"
TIMEZONES = ("Europe/Vienna", "America/Los_Angeles", "Asia/Tokyo", "UTC")

Fields = dict[str, Any]
ExportRecord = tuple[str, int, Fields]


# The export file ---------------------------------------------------------------------------


def _username(user: int) -> str:
    return f"bench-user-{user:07d}"


def _address(user: int) -> str:
    return f"{_username(user)}@example.com"


def _user_fields(user: int) -> Fields:
    return {
        "password": PASSWORD,
        "last_login": None,
        "username": _username(user),
        "name": f"Bench User {user}",
        "email": _address(user),
        "is_staff": False,
        "is_active": True,
        "is_superuser": False,
        "is_managed": False,
        "is_sentry_app": None,
        "is_password_expired": False,
        "is_suspended": False,
        "is_unclaimed": False,
        "last_password_change": JOINED,
        "flags": "0",
        "session_nonce": None,
        "date_joined": JOINED,
        "last_active": LAST_ACTIVE,
        "avatar_type": 0,
        "avatar_url": None,
    }


def user_records(users: int) -> Iterator[ExportRecord]:
    """The users-scope rows of ``users`` users (pks 1..users), grouped by model as Sentry writes
    them: users, emails, useremails, then two options per user (pks 2u-1 and 2u)."""
    for user in range(1, users + 1):
        yield USER, user, _user_fields(user)
    for user in range(1, users + 1):
        yield EMAIL, user, {"email": _address(user), "date_added": JOINED}
    for user in range(1, users + 1):
        yield (
            USEREMAIL,
            user,
            {
                "user": user,
                "email": _address(user),
                "validation_hash": "mCnWesSVvYQcq7qXQ36AZHwosAd6cghE",
                "date_hash_added": HASH_ADDED,
                "is_verified": True,
            },
        )
    for user in range(1, users + 1):
        option = {"user": user, "project_id": None, "organization_id": None}
        timezone = TIMEZONES[user % len(TIMEZONES)]
        yield USEROPTION, 2 * user - 1, {**option, "key": "timezone", "value": timezone}
        yield USEROPTION, 2 * user, {**option, "key": "clock_24_hours", "value": user % 2 == 0}


def organization_records(organizations: int, members: int) -> Iterator[ExportRecord]:
    """An organizations-scope export: the members' users first (one user per member), then the
    organizations, then the members spread evenly over them, the first of each the owner."""
    yield from user_records(members)
    for organization in range(1, organizations + 1):
        yield (
            ORGANIZATION,
            organization,
            {
                "name": f"Bench Org {organization}",
                "slug": f"bench-org-{organization:05d}",
                "status": 0,
                "date_added": ORGANIZATION_ADDED,
                "default_role": "member",
                "is_test": False,
                "flags": "1",
            },
        )

    def organization_of(member: int) -> int:
        return (member - 1) * organizations // members + 1

    for member in range(1, members + 1):
        organization = organization_of(member)
        first = member == 1 or organization_of(member - 1) != organization
        yield (
            MEMBER,
            member,
            {
                "organization": organization,
                "user_id": member,
                "email": None,
                "role": "owner" if first else "member",
                "flags": "0",
                "token": None,
                "date_added": MEMBER_ADDED,
                "token_expires_at": None,
                "has_global_access": True,
                "inviter_id": None,
                "invite_status": 0,
                "type": 50,
                "user_is_active": True,
                "user_email": _address(member),
            },
        )


def element_text(model: str, pk: int, fields: Mapping[str, Any]) -> str:
    """One record laid out as ``json.dumps(records, indent=2)`` lays out an element of the array
    (for fields of scalar values, which is all these records hold)."""
    lines = ",\n".join(
        f"      {json.dumps(name)}: {json.dumps(value)}" for name, value in fields.items()
    )
    return (
        f'  {{\n    "model": {json.dumps(model)},\n    "pk": {pk},\n'
        f'    "fields": {{\n{lines}\n    }}\n  }}'
    )


def write_export(path: Path, records: Iterable[ExportRecord]) -> int:
    """Writes ``records`` as a Sentry export, one element at a time; returns how many."""
    count = 0
    with path.open("w", encoding="utf-8") as file:
        file.write("[")
        for model, pk, fields in records:
            file.write(",\n" if count else "\n")
            file.write(element_text(model, pk, fields))
            count += 1
        file.write("\n]" if count else "]")
    return count


# The baseline ------------------------------------------------------------------------------


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _column_values(model: str, pk: int, fields: Fields, now: datetime) -> Fields:
    """The columns a users import writes for one record into a fresh database (ids as in the
    file): privileges dropped, an unusable password and a claimable account, each address
    unverified with a new validation hash, option values kept as JSON text."""
    if model == USER:
        return {
            "id": pk,
            "password": make_unusable_password(),
            "last_login": None,
            "username": fields["username"],
            "first_name": fields["name"],
            "email": fields["email"],
            "is_staff": False,
            "is_active": fields["is_active"],
            "is_superuser": False,
            "is_managed": False,
            "is_sentry_app": fields["is_sentry_app"],
            "is_password_expired": False,
            "is_unclaimed": True,
            "last_password_change": now,
            "flags": int(fields["flags"]),
            "session_nonce": fields["session_nonce"],
            "date_joined": _time(fields["date_joined"]),
            "last_active": _time(fields["last_active"]),
            "avatar_type": fields["avatar_type"],
            "avatar_url": fields["avatar_url"],
        }
    if model == EMAIL:
        # The import records each address with its user, so the file's date_added is not kept.
        return {"id": pk, "email": fields["email"], "date_added": now}
    if model == USEREMAIL:
        return {
            "id": pk,
            "user_id": fields["user"],
            "email": fields["email"],
            "validation_hash": secure_token(),
            "date_hash_added": now,
            "is_verified": False,
        }
    if model == USEROPTION:
        return {
            "id": pk,
            "user_id": fields["user"],
            "project_id": None,
            "organization_id": None,
            "key": fields["key"],
            "value": json.dumps(fields["value"]),  # none of the generated values is JSON text
        }
    raise ValueError(f"the baseline writes no {model}")


def _table(model: str) -> Table:
    return ControlBase.metadata.tables[model.removeprefix("sentry.")]


def _baseline_batches(users: int) -> Iterator[tuple[Table, list[Fields]]]:
    """The baseline's transactions: up to 2000 rows of one model each, in file order."""
    now = datetime.now(UTC)
    batch: list[Fields] = []
    current = USER
    for model, pk, fields in user_records(users):
        if batch and (model != current or len(batch) == BASELINE_ROWS_PER_TRANSACTION):
            yield _table(current), batch
            batch = []
        current = model
        batch.append(_column_values(model, pk, fields, now))
    if batch:
        yield _table(current), batch


def _migrated(path: Path, silo: str) -> str:
    url = f"sqlite:///{path}"
    upgraded = run_silo("upgrade", "--silo", silo, "--database-url", url)
    if upgraded.returncode != 0:
        raise SystemExit(upgraded.stderr)
    return url


def baseline_rows_per_second(users: int, work: Path) -> float:
    """Rows per second of bare ``executemany`` inserts of what a users import of ``users``
    writes, into a fresh control database with the silos' SQLite settings."""
    engine = make_engine(_migrated(work / "baseline.sqlite3", "control"))
    rows = 0
    elapsed = 0.0
    try:
        with engine.connect() as connection:
            for table, batch in _baseline_batches(users):
                started = time.perf_counter()
                with connection.begin():
                    connection.execute(insert(table), batch)
                elapsed += time.perf_counter() - started
                rows += len(batch)
    finally:
        engine.dispose()
    return rows / elapsed


# The import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandRun:
    """One finished `silo` command: its exit code, wall time from start to exit, peak memory."""

    returncode: int
    seconds: float
    max_rss_bytes: int


# The kernel counts the pages a child starts with (before exec) in its peak, so a command forked
# straight from this process, which may hold a large baseline, would report this process's size.
# A small launcher forks the command instead and reports the command's own peak and exit code.
_LAUNCHER = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execv(sys.argv[2], sys.argv[2:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "with open(sys.argv[1], 'w') as report:\n"
    "    report.write(f'{usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}')\n"
)


def run_command(arguments: list[str], log: Path) -> CommandRun:
    """Runs a `silo` command signed with the cluster's secret, its output going to ``log``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SILO_")}
    env["SILO_RPC_SHARED_SECRETS"] = SECRET
    report = log.with_suffix(".rusage")
    launcher = [sys.executable, "-c", _LAUNCHER, str(report), *silo_command(*arguments)]
    started = time.perf_counter()
    with log.open("wb") as output:
        subprocess.run(launcher, stdout=output, stderr=output, env=env, check=True)
    seconds = time.perf_counter() - started
    max_rss_kib, returncode = (int(part) for part in report.read_text().split())
    return CommandRun(returncode, seconds, max_rss_kib * 1024)  # KiB on Linux


def _tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def peak_rss_bytes(pid: int) -> int:
    """A running process's peak resident set size (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"process {pid} reports no VmHWM")


def _count_rows(database_url: str, table: FromClause) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(table)) or 0)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class UsersResult:
    """A users import of one size and its baseline."""

    users: int
    rows: int
    baseline_rate: float
    import_rate: float
    command_peak: int
    control_peak: int
    control_peak_before: int


def users_import(users: int) -> UsersResult:
    """Generates the export, measures the baseline, then imports it into a fresh control silo."""
    with tempfile.TemporaryDirectory(prefix="silo-bench-import-") as scratch:
        work = Path(scratch)
        source = work / "users.json"
        rows = write_export(source, user_records(users))
        baseline = baseline_rows_per_second(users, work)
        with control_and_region(work) as cluster:
            before = peak_rss_bytes(cluster.control.pid)
            run = _import(cluster, "users", source, work)
            control_peak = peak_rss_bytes(cluster.control.pid)
            imported = _count_rows(cluster.control_url, _table(USEROPTION))
        if imported != 2 * users:
            raise SystemExit(f"the import wrote {imported} options, not {2 * users}")
    return UsersResult(
        users=users,
        rows=rows,
        baseline_rate=baseline,
        import_rate=rows / run.seconds,
        command_peak=run.max_rss_bytes,
        control_peak=control_peak,
        control_peak_before=before,
    )


def _import(cluster: BenchCluster, scope: str, source: Path, work: Path) -> CommandRun:
    arguments = ["import", scope, str(source), "--control", cluster.control_address]
    if scope == "organizations":
        arguments += ["--region", f"us={cluster.region_address}", "--region", "us"]
    arguments += ["--no-prompt", "--silent"]
    log = work / f"import-{scope}.log"
    run = run_command(arguments, log)
    if run.returncode != 0:
        ended = cluster.control.poll()
        control = "still serving" if ended is None else f"ended with {ended}"
        servers = "".join(
            f"\n--- {path.name}, last lines:\n{_tail(path)}"
            for path in sorted(work.glob("*.log"))
            if path != log
        )
        raise SystemExit(
            f"silo {' '.join(arguments)} exited {run.returncode} (the control silo is "
            f"{control}):\n{log.read_text()}{servers}"
        )
    return run


def organizations_import() -> tuple[int, CommandRun]:
    """Imports 2,000 organizations and 50,000 members (with their users) into fresh silos."""
    with tempfile.TemporaryDirectory(prefix="silo-bench-import-") as scratch:
        work = Path(scratch)
        source = work / "organizations.json"
        rows = write_export(source, organization_records(ORGANIZATIONS, MEMBERS))
        with control_and_region(work) as cluster:
            run = _import(cluster, "organizations", source, work)
            users = _count_rows(cluster.control_url, _table(USER))
            members = _count_rows(cluster.region_url, OrganizationMemberRow.__table__)
        if (users, members) != (MEMBERS, MEMBERS):
            raise SystemExit(f"the import wrote {users} users and {members} members, not {MEMBERS}")
    return rows, run


# The report --------------------------------------------------------------------------------


def sizes() -> tuple[int, int]:
    """The two user counts: ``SILO_BENCH_IMPORT_USERS="N1,N2"`` or 100,000 and 400,000."""
    text = os.environ.get(SIZES_VARIABLE, "").strip()
    if not text:
        return DEFAULT_SIZES
    try:
        small, large = (int(part) for part in text.split(","))
    except ValueError:
        raise SystemExit(f"{SIZES_VARIABLE} must be two user counts, like 2000,8000") from None
    if not 0 < small < large:
        raise SystemExit(f"{SIZES_VARIABLE}: the second count must exceed the first, both > 0")
    return small, large


def _mib(size: int) -> str:
    return f"{size / 2**20:8.1f} MiB"


def run() -> None:
    """Prints import throughput against the baseline, and peak memory at two sizes."""
    results = [users_import(users) for users in sizes()]

    print(f"silo import users: {ROWS_PER_USER} rows per user, SQLite, control silo over gRPC")
    print(
        "  Baseline: Core executemany of the same rows, one transaction per "
        f"{BASELINE_ROWS_PER_TRANSACTION} rows, statements timed"
    )
    print("     users      rows   baseline rows/s   import rows/s   ratio  (target)")
    for result in results:
        print(
            f"  {result.users:8} {result.rows:9} {result.baseline_rate:17.0f} "
            f"{result.import_rate:15.0f}   {result.import_rate / result.baseline_rate:5.3f}  "
            f"(>= {RATIO_TARGET})"
        )
    print("  Peak memory (max RSS)        command   control silo  (control at start)")
    for result in results:
        print(
            f"  {result.users:8} users   {_mib(result.command_peak)}   "
            f"{_mib(result.control_peak)}  ({_mib(result.control_peak_before).strip()})"
        )
    small, large = results
    extra = large.users - small.users
    command_growth = (large.command_peak - small.command_peak) / extra
    control_growth = (large.control_peak - small.control_peak) / extra
    print(
        f"  growth per extra user {command_growth:10.1f} B   {control_growth:10.1f} B    "
        f"(target <= {BYTES_PER_USER_TARGET} B/user)"
    )

    print()
    if not region_importers():
        print(
            "silo import organizations: skipped, the region importers are not there yet "
            "(region_importers() is empty)"
        )
        return
    rows, organizations = organizations_import()
    print(
        f"silo import organizations: {ORGANIZATIONS} organizations, {MEMBERS} members and their "
        f"users ({rows} rows)"
    )
    print(
        f"  {rows / organizations.seconds:.0f} rows/s ({organizations.seconds:.1f} s end to end), "
        f"command peak {_mib(organizations.max_rss_bytes).strip()}"
    )


if __name__ == "__main__":
    run()
