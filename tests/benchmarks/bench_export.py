"""`silo export` against a bare SQLAlchemy Core baseline measured in the same run, with the
command's peak memory at two sizes.

- data: the rows a users import of N users writes (a user, an email, a useremail, two options
  each), inserted with Core into a migrated control database before the silos start.
- baseline: a Core ``select`` of those tables, each row made a dict (datetimes as ISO text) and
  the whole dumped with ``orjson`` indented by 2, as the export is, into a file: the same rows,
  read and written without the silos or the wire.
- export: ``silo export users FILE`` as its own process against ``silo serve control``, timed
  from start to exit.
- memory: the command's max RSS (``wait4``) at two sizes (``SILO_BENCH_EXPORT_USERS="N1,N2"``,
  by default 100,000 and 400,000 users).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import insert, select

from shared.db.engine import make_engine
from tests.benchmarks.bench_import import (
    ROWS_PER_USER,
    USER,
    USEREMAIL,
    USEROPTION,
    _baseline_batches,
    _migrated,
    _table,
    run_command,
)
from tests.benchmarks.cluster import control_and_region

SIZES_VARIABLE = "SILO_BENCH_EXPORT_USERS"
DEFAULT_SIZES = (100_000, 400_000)
RATIO_TARGET = 0.3
GROWTH_TARGET_BYTES = 20 * 2**20
EMAIL = "sentry.email"


def _populate(url: str, users: int) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for table, batch in _baseline_batches(users):
                connection.execute(insert(table), batch)
    finally:
        engine.dispose()


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def baseline_rows_per_second(url: str, destination: Path) -> tuple[float, int]:
    """Rows per second of a bare Core select of the exported tables dumped to a file."""
    engine = make_engine(url)
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    try:
        with engine.connect() as connection:
            for model in (EMAIL, USER, USEREMAIL, USEROPTION):
                table = _table(model)
                query = select(table).order_by(table.c.id)
                for row in connection.execute(query):
                    rows.append({str(key): _plain(value) for key, value in row._asdict().items()})
        destination.write_bytes(orjson.dumps(rows, option=orjson.OPT_INDENT_2))
    finally:
        engine.dispose()
    return len(rows) / (time.perf_counter() - started), len(rows)


@dataclass(frozen=True)
class ExportResult:
    """An export of one size and its baseline."""

    users: int
    rows: int
    baseline_rate: float
    export_rate: float
    command_peak: int


def users_export(users: int) -> ExportResult:
    """Fills a fresh control silo, measures the baseline, then exports through the silo."""
    with tempfile.TemporaryDirectory(prefix="silo-bench-export-") as scratch:
        work = Path(scratch)
        url = _migrated(work / "control.sqlite3", "control")
        _populate(url, users)
        baseline, rows = baseline_rows_per_second(url, work / "baseline.json")
        with control_and_region(work, control_url=url) as cluster:
            destination = work / "export.json"
            arguments = ["export", "users", str(destination), "--control"]
            arguments += [cluster.control_address, "--no-prompt", "--silent"]
            run = run_command(arguments, work / "export.log")
            if run.returncode != 0:
                raise SystemExit((work / "export.log").read_text())
        exported = json.loads(destination.read_bytes())
        if len(exported) != rows:
            raise SystemExit(f"the export wrote {len(exported)} rows, not {rows}")
    return ExportResult(users, rows, baseline, rows / run.seconds, run.max_rss_bytes)


def sizes() -> tuple[int, int]:
    """The two user counts: ``SILO_BENCH_EXPORT_USERS="N1,N2"`` or 100,000 and 400,000."""
    text = os.environ.get(SIZES_VARIABLE, "").strip()
    if not text:
        return DEFAULT_SIZES
    small, large = (int(part) for part in text.split(","))
    return small, large


def run() -> None:
    """Prints export throughput against the baseline, and peak memory at two sizes."""
    results = [users_export(users) for users in sizes()]
    print(f"silo export users: {ROWS_PER_USER} rows per user, SQLite, control silo over gRPC")
    print("  Baseline: Core select of the same tables, rows as dicts, orjson dump (indent 2)")
    print("     users      rows   baseline rows/s   export rows/s   ratio  (target)")
    for result in results:
        print(
            f"  {result.users:8} {result.rows:9} {result.baseline_rate:17.0f} "
            f"{result.export_rate:15.0f}   {result.export_rate / result.baseline_rate:5.3f}  "
            f"(>= {RATIO_TARGET})"
        )
    small, large = results
    growth = large.command_peak - small.command_peak
    print(
        f"  command peak memory: {small.command_peak / 2**20:.1f} MiB at {small.users} users, "
        f"{large.command_peak / 2**20:.1f} MiB at {large.users}: growth "
        f"{growth / 2**20:.1f} MiB (target < {GROWTH_TARGET_BYTES / 2**20:.0f} MiB)"
    )


if __name__ == "__main__":
    run()
