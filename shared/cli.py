"""The `silo` command. Each silo adds its commands through the `silo.commands` entry points,
so this module never imports a silo; heavy modules load inside the commands that need them."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import click

from shared.config import ConfigError, Settings, load_settings


class SiloContext:
    """What every command receives: the config file option, read into settings on demand."""

    def __init__(self, config_file: Path | None) -> None:
        self.config_file = config_file

    def settings(self, **flags: Any) -> Settings:
        """Settings with ``flags`` (None = not given) over the environment and config file."""
        try:
            return load_settings(flags=flags, config_file=self.config_file)
        except ConfigError as error:
            raise click.UsageError(str(error)) from None


pass_silo = click.make_pass_decorator(SiloContext)


@click.group()
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML file of settings (flags and SILO_* variables take precedence).",
)
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None) -> None:
    """Silo: hybrid-cloud user management (control silo + region silos over gRPC)."""
    ctx.obj = SiloContext(config_file)


@cli.group()
def serve() -> None:
    """Run one silo's gRPC server."""


@cli.group()
def config() -> None:
    """Inspect the configuration."""


@config.command("show")
@pass_silo
def config_show(silo: SiloContext) -> None:
    """Print the effective configuration, secrets masked."""
    for name, value in silo.settings().masked().items():
        click.echo(f"{name} = {value}")


def _migration_histories() -> dict[str, Any]:
    return {entry.name: entry for entry in entry_points(group="silo.migrations")}


@cli.command()
@click.option("--silo", "silo_name", required=True, help="Which schema: control or region.")
@click.option("--database-url", help="SQLAlchemy URL (default: an SQLite file in the data dir).")
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where SQLite files live.")
@click.option("--name", "region_name", help="The region, for its default SQLite file.")
@pass_silo
def upgrade(
    silo: SiloContext,
    *,
    silo_name: str,
    database_url: str | None,
    data_dir: Path | None,
    region_name: str | None,
) -> None:
    """Create or migrate a silo's database schema to the newest revision."""
    histories = _migration_histories()
    if silo_name not in histories:
        raise click.BadParameter(
            f"{silo_name!r} is not one of {', '.join(sorted(histories))}", param_hint="--silo"
        )
    from shared.db.migrations import upgrade_url  # noqa: PLC0415 - alembic loads only here

    settings = silo.settings(database_url=database_url, data_dir=data_dir, region_name=region_name)
    url = settings.database_url_for(silo_name)
    upgrade_url(histories[silo_name].load(), url)
    click.echo(f"{silo_name} schema is up to date ({_masked_url(url)})")


@cli.command()
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where SQLite files live.")
@click.option("--listen", help="Control silo address (default 127.0.0.1:50051).")
@pass_silo
def devserver(silo: SiloContext, data_dir: Path | None, listen: str | None) -> None:
    """Run every silo locally on SQLite, with a generated shared secret."""
    from shared.devserver import run_devserver  # noqa: PLC0415

    settings = silo.settings(data_dir=data_dir, listen=listen)
    sys.exit(run_devserver(settings))


def _masked_url(url: str) -> str:
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    return make_url(url).render_as_string(hide_password=True)


def _load_silo_commands() -> None:
    for entry in entry_points(group="silo.commands"):
        entry.load()(cli)


def main() -> None:
    """Console entry point."""
    _load_silo_commands()
    cli()
