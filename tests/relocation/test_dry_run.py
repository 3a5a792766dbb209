"""`silo import --dry-run`: everything resolved against the running silos (collisions, suffixes,
merges, left-out rows, slugs), the plan printed per model, and nothing written anywhere."""

from __future__ import annotations

from pathlib import Path

from region_silo.bootstrap import RegionSilo
from region_silo.db.models import OrganizationRow
from tests.region import conftest as region_fixtures
from tests.region.conftest import Counts
from tests.relocation.conftest import (
    Importer,
    ModelCounts,
    email,
    summary_table,
    user,
    useremail,
    useroption,
    write_export,
)
from tests.relocation.installation import installation

both_row_counts = region_fixtures.both_row_counts
make_control_user = region_fixtures.make_control_user


def test_a_dry_run_plans_what_the_import_then_does_and_writes_nothing(
    run_import: Importer, region_address: str, both_row_counts: Counts, tmp_path: Path
) -> None:
    # Two rows per chunk: each chunk sees the ones before it in the dry run's transaction.
    source = write_export(tmp_path / "installation.json", installation())
    before = both_row_counts()

    planned = run_import(
        "global", source, "--region", region_address, "--dry-run", "--chunk-size", "2"
    )

    assert planned.exit_code == 0, planned.findings
    assert "nothing was written" in planned.stdout
    assert both_row_counts() == before
    done = run_import("global", source, "--region", region_address, "--chunk-size", "2")
    assert done.exit_code == 0, done.findings
    plan, outcome = summary_table(planned.stdout), summary_table(done.stdout)
    assert plan == outcome
    assert plan["sentry.user"] == ModelCounts(6, 0, 0, 0, 0)
    assert plan["sentry.organization"] == ModelCounts(2, 0, 0, 0, 0)
    assert plan["sentry.organizationmember"].inserted == 6


def test_a_dry_run_shows_renames_and_merges_against_live_data(
    run_import: Importer,
    region_address: str,
    both_row_counts: Counts,
    make_control_user: object,
    region_silo: RegionSilo,
    tmp_path: Path,
) -> None:
    taken = write_export(tmp_path / "taken.json", installation(users=3, organizations=("acme",)))
    assert run_import("global", taken, "--region", region_address).exit_code == 0
    again = write_export(
        tmp_path / "again.json", installation(users=4, organizations=("acme", "globex"))
    )
    before = both_row_counts()

    renamed = run_import("organizations", again, "--region", region_address, "--dry-run")
    merged = run_import(
        "organizations", again, "--region", region_address, "--dry-run", "--merge-users"
    )

    assert both_row_counts() == before
    assert renamed.exit_code == 0 and merged.exit_code == 0, (renamed.findings, merged.findings)
    # acme is taken, so it would get a suffix; globex is free.
    assert summary_table(renamed.stdout)["sentry.organization"] == ModelCounts(2, 0, 0, 1, 0)
    # Users 1 to 3 are taken: suffixed, or reused with --merge-users; user 4 is new.
    assert summary_table(renamed.stdout)["sentry.user"] == ModelCounts(4, 0, 0, 3, 0)
    assert summary_table(merged.stdout)["sentry.user"] == ModelCounts(1, 3, 0, 0, 0)
    with region_silo.sessions() as session:
        assert [row.slug for row in session.query(OrganizationRow)] == ["acme"]


def test_a_dry_run_with_bad_input_names_the_record_and_writes_nothing(
    run_import: Importer, both_row_counts: Counts, tmp_path: Path
) -> None:
    broken = user(2, "bob")
    broken["fields"]["is_active"] = "yes"
    source = write_export(
        tmp_path / "export.json",
        [
            email(1, "alice@example.com"),
            user(1, "alice"),
            broken,
            useremail(1, 1, "alice@example.com"),
            useroption(1, 1, "timezone", '"UTC"'),
        ],
    )
    before = both_row_counts()

    result = run_import("users", source, "--dry-run", "--chunk-size", "1")

    assert result.exit_code == 1
    assert (result.finding["on"]["model"], result.finding["left_pk"]) == ("sentry.user", 2)
    assert result.finding["field"] == "is_active"
    assert "Resume" not in result.stderr
    assert both_row_counts() == before


def test_a_global_dry_run_into_silos_with_users_is_refused(
    run_import: Importer, region_address: str, both_row_counts: Counts, tmp_path: Path
) -> None:
    source = write_export(tmp_path / "installation.json", installation())
    assert run_import("users", source).exit_code == 0
    before = both_row_counts()

    result = run_import("global", source, "--region", region_address, "--dry-run")

    assert result.exit_code == 1
    assert "empty silo" in result.finding["reason"]
    assert both_row_counts() == before


def organization_only(pk: int, slug: str) -> dict[str, object]:
    (record,) = [
        r
        for r in installation(users=2, organizations=(slug,))
        if r["model"] == "sentry.organization"
    ]
    return {**record, "pk": pk}


def test_a_dry_run_of_organizations_alone_sees_its_earlier_chunks_slugs(
    run_import: Importer, region_address: str, both_row_counts: Counts, tmp_path: Path
) -> None:
    # No control rows come first: the region's first request for ids must already join the
    # control silo's dry run, or the third organization meets the first one's id and slug.
    source = write_export(
        tmp_path / "organizations.json",
        [organization_only(1, "dupe"), organization_only(2, "dupe2"), organization_only(3, "dupe")],
    )
    before = both_row_counts()

    planned = run_import(
        "organizations", source, "--region", region_address, "--dry-run", "--chunk-size", "1"
    )

    assert planned.exit_code == 0, planned.findings
    assert both_row_counts() == before
    assert summary_table(planned.stdout)["sentry.organization"] == ModelCounts(3, 0, 0, 1, 0)
    done = run_import("organizations", source, "--region", region_address, "--chunk-size", "1")
    assert summary_table(done.stdout) == summary_table(planned.stdout)


def test_a_dry_run_of_a_resumed_import_plans_the_rest(
    run_import: Importer, both_row_counts: Counts, tmp_path: Path
) -> None:
    records = installation(users=4, organizations=())
    broken = [dict(r, fields=dict(r["fields"])) for r in records]
    (last_user,) = [r for r in broken if r["model"] == "sentry.user" and r["pk"] == 4]
    last_user["fields"]["is_active"] = "yes"
    stopped = run_import(
        "users",
        write_export(tmp_path / "broken.json", broken),
        "--chunk-size",
        "1",
        "--import-uuid",
        "resumed",
    )
    assert stopped.exit_code == 1
    fixed = write_export(tmp_path / "fixed.json", records)
    before = both_row_counts()

    planned = run_import(
        "users", fixed, "--dry-run", "--chunk-size", "1", "--import-uuid", "resumed"
    )
    again = run_import("users", fixed, "--dry-run", "--chunk-size", "1", "--import-uuid", "resumed")

    assert planned.exit_code == 0, planned.findings
    assert again.exit_code == 0, again.findings
    assert both_row_counts() == before
    # The four emails and the first three users were written before the fourth user stopped it.
    assert "7 chunks were written before" in planned.stdout
    assert summary_table(planned.stdout)["sentry.user"] == ModelCounts(4, 0, 0, 0, 0)


def test_a_refused_dry_run_lets_its_import_id_go(
    run_import: Importer, region_address: str, both_row_counts: Counts, tmp_path: Path
) -> None:
    source = write_export(tmp_path / "installation.json", installation())
    assert run_import("users", source).exit_code == 0
    arguments = ("--region", region_address, "--dry-run", "--import-uuid", "refused")

    first = run_import("global", source, *arguments)
    second = run_import("global", source, *arguments)
    planned = run_import("users", source, "--dry-run", "--import-uuid", "refused")

    assert "empty silo" in first.finding["reason"]
    assert "empty silo" in second.finding["reason"]
    assert planned.exit_code == 0, planned.findings
