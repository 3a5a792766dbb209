"""The control silo's `silo` commands: `silo serve control`."""

from __future__ import annotations

import logging
import sys

import click

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


@click.command("createuser")
@click.option("--email", "emails", multiple=True, help="Email, also the username (repeatable).")
@click.option("--password", help="The password (prompted for, hidden, when not given).")
@click.option("--no-password", is_flag=True, help="Create the user without a usable password.")
@click.option("--superuser/--no-superuser", default=None, help="Installation superuser.")
@click.option("--staff/--no-staff", default=None, help="Staff access (superusers only).")
@click.option("--no-input", is_flag=True, help="Never prompt; fail on what is missing.")
@click.option("--force-update", is_flag=True, help="Update a user that already exists.")
@click.option("--org-id", type=int, help="The organization new users join.")
@click.option(
    "--control",
    "control_address",
    help="A running control silo (HOST:PORT); without it, the control database is used directly.",
)
@click.option("--database-url", help="The control database, in direct mode.")
@click.option("--data-dir", type=click.Path(), help="Where the default SQLite file lives.")
@click.option("--region", "regions", multiple=True, help="NAME=HOST:PORT of a region.")
@pass_silo
def createuser(
    silo: SiloContext,
    *,
    emails: tuple[str, ...],
    password: str | None,
    no_password: bool,
    superuser: bool | None,
    staff: bool | None,
    no_input: bool,
    force_update: bool,
    org_id: int | None,
    control_address: str | None,
    database_url: str | None,
    data_dir: str | None,
    regions: tuple[str, ...],
) -> None:
    """Create a user (or update one with --force-update), Sentry's way."""
    from control_silo import createuser as command  # noqa: PLC0415 - heavy imports
    from shared.errors import SiloError  # noqa: PLC0415

    request = command.gather(
        emails=emails,
        password=password,
        no_password=no_password,
        superuser=superuser,
        staff=staff,
        no_input=no_input,
        force_update=force_update,
        org_id=org_id,
    )
    settings = silo.settings(
        mode=SiloMode.CONTROL,
        database_url=database_url,
        data_dir=data_dir,
        regions=regions or None,
    )
    try:
        with command.connect(settings, control_address) as (users, mappings, directory):
            target = None
            if settings.single_organization or request.org_id is not None:
                target = command.find_organization(request.org_id, mappings, directory)
            command.run(request, users, target)
    except SiloError as error:
        command.fail(str(error))


def register(cli: click.Group) -> None:
    """Adds the control silo's commands to the `silo` group."""
    serve = cli.commands["serve"]
    assert isinstance(serve, click.Group)  # noqa: S101 - defined by shared.cli
    serve.add_command(serve_control)
    cli.add_command(createuser)
