"""Sentry's own export fixtures round-trip: imported in global scope into empty silos, exported in
global scope, and compared as Sentry's validation compares with the fixture as Silo keeps it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.relocation.compare.run import compare_exports
from shared.relocation.models import BY_NAME, EXPORT_ORDER
from tests.relocation.conftest import FIXTURES, Exporter, Importer

pytestmark = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason=f"Sentry's fixtures are not in {FIXTURES}"
)

Record = dict[str, Any]

# Fields older Sentry releases wrote that current Sentry no longer has; imports drop them, as
# current Sentry does (docs/relocation.md).
RETIRED_FIELDS = {"sentry.team": {"actor", "org_role"}, "sentry.user": {"is_suspended"}}
# Files that are not a whole installation's export: the model list, and two that an import
# refuses by design (a user without a username; a role holder whose role the file lacks).
NOT_ROUND_TRIPS = {
    "model_dependencies-sorted.json",
    "invalid-user.json",
    "user-with-roles-no-superadmin.json",
}
ROUND_TRIPS = sorted(
    path.name
    for path in (FIXTURES.glob("*.json") if FIXTURES.is_dir() else [])
    if path.name not in NOT_ROUND_TRIPS
)


def as_json_text(value: Any) -> Any:
    """A user option's value as Silo keeps it: JSON text (older files wrote a bare string that is
    not JSON, ``"Europe/Vienna"``, for the string it names)."""
    if not isinstance(value, str):
        return value
    try:
        json.loads(value)
    except ValueError:
        return json.dumps(value)
    return value


def as_silo_keeps(records: list[Record]) -> list[Record]:
    """The fixture's records of the models Silo keeps, without retired fields, user option values
    as JSON text, in the order of Silo's exports."""
    kept = []
    for record in records:
        if record["model"] not in BY_NAME:
            continue
        retired = RETIRED_FIELDS.get(record["model"], set())
        fields = {name: value for name, value in record["fields"].items() if name not in retired}
        if record["model"] == "sentry.useroption":
            fields["value"] = as_json_text(fields["value"])
        kept.append({**record, "fields": fields})
    return sorted(kept, key=lambda record: (EXPORT_ORDER.index(record["model"]), record["pk"]))


def with_installation(records: list[Record], installation: list[Record]) -> list[Record]:
    """What silos that held ``installation`` hold after importing ``records``: the installation's
    roles the file does not name stay, and each address a user holds has its ``sentry.email``
    row (Silo keeps one per address, as Sentry's user-email writes do), added no earlier than
    the address's verification hash."""
    names = {r["fields"]["name"] for r in records if r["model"] == "sentry.userrole"}
    extra_roles = [
        {**role, "pk": 10_000 + role["pk"]}
        for role in installation
        if role["model"] == "sentry.userrole" and role["fields"]["name"] not in names
    ]
    emails = {r["fields"]["email"].lower() for r in records if r["model"] == "sentry.email"}
    derived: list[Record] = []
    for record in records:
        address = record["fields"].get("email", "")
        if record["model"] == "sentry.useremail" and address.lower() not in emails:
            emails.add(address.lower())
            derived.append(
                {
                    "model": "sentry.email",
                    "pk": 10_000 + len(derived),
                    "fields": {
                        "email": address,
                        "date_added": record["fields"]["date_hash_added"],
                    },
                }
            )
    combined = records + extra_roles + derived
    return sorted(combined, key=lambda r: (EXPORT_ORDER.index(r["model"]), r["pk"]))


def write(path: Path, records: list[Record]) -> Path:
    path.write_text(json.dumps(records, indent=2))
    return path


def test_an_empty_installation_exports_only_its_super_admin_role(
    run_export: Exporter, tmp_path: Path
) -> None:
    result = run_export("global", tmp_path / "empty.json")

    assert result.exit_code == 0, result.stderr
    exported = json.loads((tmp_path / "empty.json").read_text())
    assert [(r["model"], r["fields"]["name"]) for r in exported] == [
        ("sentry.userrole", "Super Admin")
    ]


@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_a_sentry_fixture_round_trips_in_global_scope(
    name: str, run_import: Importer, run_export: Exporter, region_address: str, tmp_path: Path
) -> None:
    baseline = run_export("global", tmp_path / "installation.json")
    assert baseline.exit_code == 0, baseline.stderr
    installation = json.loads((tmp_path / "installation.json").read_text())

    imported = run_import("global", FIXTURES / name, "--region", region_address)
    assert imported.exit_code == 0, imported.findings
    exported = run_export("global", tmp_path / "export.json")
    assert exported.exit_code == 0, exported.findings

    fixture = json.loads((FIXTURES / name).read_text())
    expected = write(
        tmp_path / "expected.json", with_installation(as_silo_keeps(fixture), installation)
    )
    findings = compare_exports(
        lambda: expected.open("rb"), lambda: (tmp_path / "export.json").open("rb")
    )
    assert [str(finding) for finding in findings] == []
