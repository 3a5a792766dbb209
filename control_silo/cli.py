"""The control silo's `silo` commands: `silo serve control` and `silo createuser`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from control_silo.commands.createuser import createuser
from shared.cli import (
    SiloContext,
    add_silo_commands,
    drain_option,
    pass_silo,
    serve_silo,
    tls_options,
    workers_option,
)
from shared.config import DEFAULT_CONTROL_LISTEN
from shared.silo_mode import SiloMode

if TYPE_CHECKING:
    from control_silo.bootstrap import ControlSilo


@click.command("control")
@click.option("--database-url", help="SQLAlchemy URL (default: SQLite in the data dir).")
@click.option("--listen", help="HOST:PORT to serve on (default 127.0.0.1:50051).")
@click.option("--data-dir", type=click.Path(), help="Where the default SQLite file lives.")
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="A region of the directory, NAME=HOST:PORT (repeatable).",
)
@click.option("--metrics-listen", help="HOST:PORT for Prometheus /metrics.")
@click.option("--log-level", default="INFO", show_default=True)
@workers_option
@drain_option
@tls_options
@pass_silo
def serve_control(
    silo: SiloContext,
    *,
    database_url: str | None,
    listen: str | None,
    data_dir: str | None,
    regions: tuple[str, ...],
    metrics_listen: str | None,
    log_level: str,
    workers: int,
    drain_seconds: float,
    tls_cert: Path | None,
    tls_key: Path | None,
    tls_ca: Path | None,
) -> None:
    """Serve the control silo's gRPC services until SIGTERM."""
    from control_silo.bootstrap import build_control_silo  # noqa: PLC0415 - heavy imports

    settings = silo.settings(
        mode=SiloMode.CONTROL,
        database_url=database_url,
        listen=listen,
        data_dir=data_dir,
        regions=regions or None,
        metrics_listen=metrics_listen,
        tls_cert=tls_cert,
        tls_key=tls_key,
        tls_ca=tls_ca,
    )
    serve_silo(
        settings,
        log_level=log_level,
        workers=workers,
        drain_seconds=drain_seconds,
        default_listen=DEFAULT_CONTROL_LISTEN,
        build=lambda: build_control_silo(settings),
        start=_start_background_work,
        announce=lambda _control, where: f"control silo serving on {where}",
    )


def _start_background_work(control: ControlSilo) -> None:
    control.reconciler.start()
    control.start_drainer()


def register(cli: click.Group) -> None:
    """Adds the control silo's commands to the `silo` group."""
    add_silo_commands(cli, serve_command=serve_control, commands=[createuser])
