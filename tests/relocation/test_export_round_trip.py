"""The whole flow across two installations, each a control silo and regions `us` and `de` in their
own processes: an installation with organizations in both regions is exported, imported into an
empty installation, exported again, and the two exports compare equal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from click.testing import CliRunner

from shared.cli import cli
from shared.relocation.compare.run import compare_exports
from tests.databases import scratch_database
from tests.e2e.conftest import REGIONS, SECRET, Cluster
from tests.integration.processes import free_port, run_silo
from tests.relocation.conftest import write_export
from tests.relocation.installation import installation


@contextmanager
def running_cluster(work: Path, label: str) -> Iterator[Cluster]:
    """An empty installation: migrated databases, the control silo and both regions running."""
    work.mkdir()
    with ExitStack() as stack:
        control_url = stack.enter_context(scratch_database(work, f"{label}_control"))
        region_urls = {
            name: stack.enter_context(scratch_database(work, f"{label}_{name}")) for name in REGIONS
        }
        for silo, url, extra in [("control", control_url, [])] + [
            ("region", url, ["--name", name]) for name, url in region_urls.items()
        ]:
            result = run_silo("upgrade", "--silo", silo, "--database-url", url, *extra)
            assert result.returncode == 0, result.stderr
        cluster = Cluster(
            work=work,
            control_url=control_url,
            region_urls=region_urls,
            region_addresses={name: f"127.0.0.1:{free_port()}" for name in REGIONS},
            control_listen=f"127.0.0.1:{free_port()}",
        )
        cluster.start_control(stack)
        for name in REGIONS:
            cluster.start_region(name, stack)
        yield cluster


def silo(cluster: Cluster, *arguments: str) -> None:
    """Runs `silo ARGUMENTS` against ``cluster``; it must succeed."""
    regions = [f"--region={name}={cluster.region_addresses[name]}" for name in REGIONS]
    command, scope, *rest = arguments
    if command == "import":
        # An import names its one region among the ones it is given.
        target = next(arg for arg in rest if arg.startswith("--into="))
        rest = [arg for arg in rest if arg != target]
        regions = [f"--region={target.removeprefix('--into=')}", *regions]
    result = CliRunner().invoke(
        cli,
        [command, scope, *rest, "--control", cluster.control_address, "--no-prompt", *regions],
        env={"SILO_RPC_SHARED_SECRETS": SECRET},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output


def test_an_installation_in_two_regions_survives_export_and_import(tmp_path: Path) -> None:
    in_us = write_export(tmp_path / "us.json", installation(organizations=("acme", "globex")))
    in_de = write_export(tmp_path / "de.json", installation(organizations=("initech", "umbrella")))
    first, second = tmp_path / "first.json", tmp_path / "second.json"

    with running_cluster(tmp_path / "a", "first") as cluster:
        silo(cluster, "import", "global", str(in_us), "--into=us")
        silo(cluster, "import", "organizations", str(in_de), "--into=de", "--merge-users")
        silo(cluster, "export", "global", str(first))
        silo(cluster, "export", "global", str(tmp_path / "de-only.json"), "--region=de")
    with running_cluster(tmp_path / "b", "second") as cluster:
        silo(cluster, "import", "global", str(first), "--into=us")
        silo(cluster, "export", "global", str(second))

    exported = json.loads(first.read_text())
    slugs = [r["fields"]["slug"] for r in exported if r["model"] == "sentry.organization"]
    assert sorted(slugs) == ["acme", "globex", "initech", "umbrella"]
    members = [r for r in exported if r["model"] == "sentry.organizationmember"]
    assert [r["pk"] for r in members] == list(range(1, 13))
    assert compare_exports(lambda: first.open("rb"), lambda: second.open("rb")) == []
    # Reading one region takes its organizations and no other region's auth provider (acme's
    # is in us).
    de_only = json.loads((tmp_path / "de-only.json").read_text())
    de_slugs = [r["fields"]["slug"] for r in de_only if r["model"] == "sentry.organization"]
    assert sorted(de_slugs) == ["initech", "umbrella"]
    assert [r for r in de_only if r["model"] == "sentry.authprovider"] == []
