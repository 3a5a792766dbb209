"""The region silo's `silo` commands: `silo serve region`."""

from __future__ import annotations

from pathlib import Path

import click

from shared.cli import (
    SiloContext,
    add_silo_commands,
    drain_option,
    pass_silo,
    serve_silo,
    tls_options,
    workers_option,
)
from shared.config import DEFAULT_REGION_PORT
from shared.silo_mode import SiloMode


@click.command("region")
@click.option("--name", "region_name", help="This region's name (or SILO_REGION_NAME).")
@click.option("--database-url", help="SQLAlchemy URL (default: SQLite in the data dir).")
@click.option("--listen", help="HOST:PORT to serve on (default 127.0.0.1:50061).")
@click.option("--control", "control_address", help="The control silo's HOST:PORT.")
@click.option("--data-dir", type=click.Path(), help="Where the default SQLite file lives.")
@click.option("--metrics-listen", help="HOST:PORT for Prometheus /metrics.")
@click.option("--log-level", default="INFO", show_default=True)
@workers_option
@drain_option
@tls_options
@pass_silo
def serve_region(
    silo: SiloContext,
    *,
    region_name: str | None,
    database_url: str | None,
    listen: str | None,
    control_address: str | None,
    data_dir: str | None,
    metrics_listen: str | None,
    log_level: str,
    workers: int,
    drain_seconds: float,
    tls_cert: Path | None,
    tls_key: Path | None,
    tls_ca: Path | None,
) -> None:
    """Serve one region silo's gRPC services and drain its outbox until SIGTERM."""
    from region_silo.bootstrap import build_region_silo  # noqa: PLC0415 - heavy imports

    settings = silo.settings(
        mode=SiloMode.REGION,
        region_name=region_name,
        database_url=database_url,
        listen=listen,
        control_address=control_address,
        data_dir=data_dir,
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
        default_listen=f"127.0.0.1:{DEFAULT_REGION_PORT}",
        build=lambda: build_region_silo(settings),
        start=lambda region: region.start_drainer(),
        announce=lambda region, where: (
            f"region silo {region.name} serving on {where}, control at {settings.control_address}"
        ),
    )


def register(cli: click.Group) -> None:
    """Adds the region silo's commands to the `silo` group."""
    add_silo_commands(cli, serve_command=serve_region)
