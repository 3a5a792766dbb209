"""`silo verify`: prints every difference between the control silo and the regions, and with
`--repair` (or `--release-orphans`) fixes them through the normal outbox paths."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

import click

from shared.config import Settings
from shared.errors import SiloError
from shared.verify.model import ControlSide, OpenControl, OpenRegion, RegionSide


class SettingsSource(Protocol):
    """What the `silo` group passes its commands: settings with the command's flags on top."""

    def settings(self, **flags: Any) -> Settings:
        """The effective settings, ``flags`` (None = not given) first."""


def _sides() -> tuple[OpenControl, OpenRegion]:
    found = {entry.name: entry for entry in entry_points(group="silo.verify")}
    missing = {"control", "region"} - set(found)
    if missing:
        raise click.ClickException(f"no silo.verify entry point for {', '.join(sorted(missing))}")
    return found["control"].load(), found["region"].load()


def _region_urls(settings: Settings, given: tuple[str, ...]) -> dict[str, str]:
    urls: dict[str, str] = {}
    for value in given:
        name, separator, url = value.partition("=")
        if not separator or not name.strip() or not url.strip():
            raise click.BadParameter(f"{value!r} is not NAME=URL", param_hint="--region-database")
        urls[name.strip()] = url.strip()
    for name in settings.regions:
        if name not in urls:
            region = replace(settings, region_name=name, database_url=None)
            urls[name] = region.database_url_for("region")
    if not urls:
        raise click.UsageError(
            "no region to verify: give --region-database NAME=URL or --region NAME=HOST:PORT "
            "(or SILO_REGIONS)"
        )
    return urls


def _require_file(url: str, label: str) -> None:
    """Refuses an SQLite URL whose file does not exist: opening it would create an empty one."""
    from sqlalchemy.engine import make_url  # noqa: PLC0415 - sqlalchemy loads only here

    parsed = make_url(url)
    database = parsed.database
    in_a_file = parsed.get_backend_name() == "sqlite" and database not in (None, "", ":memory:")
    if in_a_file and not Path(str(database)).is_file():
        raise click.UsageError(f"{label}: no database at {database}")


@contextmanager
def _opened(
    settings: Settings, region_urls: dict[str, str]
) -> Iterator[tuple[ControlSide, dict[str, RegionSide]]]:
    open_control, open_region = _sides()
    with ExitStack() as stack:
        control = open_control(settings.database_url_for("control"))
        stack.callback(control.close)
        regions: dict[str, RegionSide] = {}
        for name, url in sorted(region_urls.items()):
            regions[name] = open_region(name, url)
            stack.callback(regions[name].close)
        yield control, regions


@click.command("verify")
@click.option(
    "--database-url", help="The control silo's database (default: SQLite in the data dir)."
)
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where SQLite files live.")
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="A region to check, NAME=HOST:PORT (repeatable; its database is region-NAME.sqlite3 "
    "in the data dir unless --region-database names it).",
)
@click.option(
    "--region-database",
    "region_databases",
    multiple=True,
    help="A region to check and its database, NAME=URL (repeatable).",
)
@click.option("--repair", is_flag=True, help="Repair every difference that has a repair.")
@click.option(
    "--release-orphans",
    is_flag=True,
    help="Release reservations and mappings without an organization now (part of --repair).",
)
@click.option(
    "--grace",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds a fresh reservation may wait for its organization before it is an orphan.",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds to wait for the outboxes to deliver the repairs.",
)
@click.pass_obj
def verify_command(
    silo: SettingsSource,
    *,
    database_url: str | None,
    data_dir: Path | None,
    regions: tuple[str, ...],
    region_databases: tuple[str, ...],
    repair: bool,
    release_orphans: bool,
    grace: float,
    wait: float,
) -> None:
    """Compare the control silo's reservations, mappings and member mappings with every
    region's organizations and members; exit 1 while differences remain."""
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415 - database modules load only here

    from shared.db.types import utcnow  # noqa: PLC0415
    from shared.verify.run import Unreadable, Verifier  # noqa: PLC0415

    settings = silo.settings(database_url=database_url, data_dir=data_dir, regions=regions or None)
    region_urls = _region_urls(settings, region_databases)
    _require_file(settings.database_url_for("control"), "the control silo")
    for name, url in sorted(region_urls.items()):
        _require_file(url, f"region {name!r}")
    try:
        with _opened(settings, region_urls) as (control, region_sides):
            verifier = Verifier(control, region_sides, grace_seconds=grace, clock=utcnow)
            found = verifier.check()
            for difference in found:
                click.echo(difference.describe())
            chosen = [
                difference
                for difference in found
                if repair or (release_orphans and difference.orphan)
            ]
            if chosen:
                repaired = verifier.repair(chosen)
                for difference, reason in repaired.failed:
                    click.echo(f"cannot repair {difference.describe()}: {reason}", err=True)
                click.echo(f"repairing {len(repaired.applied)} differences")
                found = verifier.settle(repaired.applied, timeout=wait)
                for difference in found:
                    click.echo(f"remaining: {difference.describe()}")
    except SiloError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    except Unreadable as error:
        click.echo(f"error: {error} (is it migrated? silo upgrade --silo ...)", err=True)
        sys.exit(2)
    except SQLAlchemyError as error:
        # One line, without the statement or its parameters; the URL's password stays out.
        click.echo(
            f"error: a silo's database refused a repair: {error.__class__.__name__}", err=True
        )
        sys.exit(2)
    checked = ", ".join(sorted(region_urls))
    if found:
        click.echo(f"{len(found)} differences (regions {checked})")
        sys.exit(1)
    click.echo(f"no differences (regions {checked})")
