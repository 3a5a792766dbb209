"""The region silo's `silo` commands: `silo serve region`."""

from __future__ import annotations

import sys

import click

from shared.cli import SiloContext, pass_silo
from shared.silo_mode import SiloMode


@click.command("region")
@click.option("--name", "region_name", help="This region's name (or SILO_REGION_NAME).")
@click.option("--database-url", help="SQLAlchemy URL (default: SQLite in the data dir).")
@click.option("--listen", help="HOST:PORT to serve on (default 127.0.0.1:50061).")
@click.option("--control", "control_address", help="The control silo's HOST:PORT.")
@click.option("--data-dir", type=click.Path(), help="Where the default SQLite file lives.")
@click.option("--metrics-listen", help="HOST:PORT for Prometheus /metrics.")
@click.option("--log-level", default="INFO", show_default=True)
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
) -> None:
    """Serve one region silo's gRPC services and drain its outbox until SIGTERM."""
    from region_silo.bootstrap import build_region_silo  # noqa: PLC0415 - heavy imports
    from shared.errors import SiloError  # noqa: PLC0415
    from shared.logs import configure_logging  # noqa: PLC0415
    from shared.rpc.server import serve_until_signalled  # noqa: PLC0415

    configure_logging(log_level)
    settings = silo.settings(
        mode=SiloMode.REGION,
        region_name=region_name,
        database_url=database_url,
        listen=listen,
        control_address=control_address,
        data_dir=data_dir,
        metrics_listen=metrics_listen,
    )
    try:
        region = build_region_silo(settings)
        region.check_schema()
        running = region.start_server()
        region.start_drainer()
        metrics_port = (
            region.metrics.serve(settings.metrics_listen) if settings.metrics_listen else None
        )
    except (SiloError, ValueError, OSError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    host = (settings.listen or "127.0.0.1:0").rsplit(":", 1)[0]
    signed = "signed" if settings.rpc_shared_secrets else "UNSIGNED (loopback only)"
    click.echo(
        f"region silo {region.name} serving on {host}:{running.port} ({signed}), "
        f"control at {settings.control_address}",
        err=True,
    )
    if metrics_port is not None:
        click.echo(
            f"metrics on {(settings.metrics_listen or '').rsplit(':', 1)[0]}:{metrics_port}",
            err=True,
        )
    try:
        serve_until_signalled(running)
    finally:
        region.close()


def register(cli: click.Group) -> None:
    """Adds the region silo's commands to the `silo` group."""
    serve = cli.commands["serve"]
    assert isinstance(serve, click.Group)  # noqa: S101 - defined by shared.cli
    serve.add_command(serve_region)
