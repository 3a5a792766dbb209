"""The control silo's `silo` commands: `silo serve control` and `silo createuser`."""

from __future__ import annotations

import logging
import sys

import click

from control_silo.commands.createuser import createuser
from shared.cli import SiloContext, pass_silo
from shared.config import DEFAULT_CONTROL_LISTEN
from shared.silo_mode import SiloMode

log = logging.getLogger("silo.control")


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
) -> None:
    """Serve the control silo's gRPC services until SIGTERM."""
    from control_silo.bootstrap import build_control_silo  # noqa: PLC0415 - heavy imports
    from shared.errors import FailedPrecondition  # noqa: PLC0415
    from shared.logs import configure_logging  # noqa: PLC0415
    from shared.rpc.server import serve_until_signalled  # noqa: PLC0415

    configure_logging(log_level)
    settings = silo.settings(
        mode=SiloMode.CONTROL,
        database_url=database_url,
        listen=listen,
        data_dir=data_dir,
        regions=regions or None,
        metrics_listen=metrics_listen,
    )
    control = build_control_silo(settings)
    try:
        control.check_schema()
        running = control.start_server()
    except (FailedPrecondition, ValueError, OSError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    address = settings.listen or DEFAULT_CONTROL_LISTEN
    host = address.rsplit(":", 1)[0]
    signed = "signed" if settings.rpc_shared_secrets else "UNSIGNED (loopback only)"
    click.echo(f"control silo serving on {host}:{running.port} ({signed})", err=True)
    if settings.metrics_listen:
        metrics_port = control.metrics.serve(settings.metrics_listen)
        click.echo(
            f"metrics on {settings.metrics_listen.rsplit(':', 1)[0]}:{metrics_port}", err=True
        )
    control.reconciler.start()
    control.start_drainer()
    try:
        serve_until_signalled(running)
    finally:
        control.close()


def register(cli: click.Group) -> None:
    """Adds the control silo's commands to the `silo` group."""
    serve = cli.commands["serve"]
    assert isinstance(serve, click.Group)  # noqa: S101 - defined by shared.cli
    serve.add_command(serve_control)
    cli.add_command(createuser)
