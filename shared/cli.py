"""The `silo` command. Each silo adds its commands through the `silo.commands` entry points,
so this module never imports a silo; heavy modules load inside the commands that need them."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import click

from shared.config import ConfigError, Settings, load_settings
from shared.errors import FailedPrecondition
from shared.logs import mask_secrets

if TYPE_CHECKING:
    from shared.metrics import Metrics
    from shared.outbox.drainer import OutboxDrainer
    from shared.outbox.writer import OutboxWriter
    from shared.rpc.server import RunningServer
    from shared.workers import WorkerReady, WorkerRole


class SiloContext:
    """What every command receives: the config file option and the group's flags (TLS files),
    read into settings on demand."""

    def __init__(self, config_file: Path | None, **group_flags: Any) -> None:
        self.config_file = config_file
        self.group_flags = group_flags

    def settings(self, **flags: Any) -> Settings:
        """Settings with ``flags`` (None = not given) over the group's flags, the environment and
        the config file. Channels the command opens use the settings' TLS files."""
        from shared.rpc.channel import use_tls_by_default  # noqa: PLC0415 - grpc loads here

        given = {name: value for name, value in flags.items() if value is not None}
        try:
            settings = load_settings(
                flags={**self.group_flags, **given}, config_file=self.config_file
            )
        except ConfigError as error:
            raise click.UsageError(mask_secrets(str(error))) from None
        use_tls_by_default(settings.tls)
        return settings


def tls_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds ``--tls-cert``, ``--tls-key`` and ``--tls-ca`` (passed as ``tls_cert``, ...)."""
    for name, text in reversed(TLS_OPTIONS):
        command = click.option(
            f"--{name.replace('_', '-')}",
            name,
            type=click.Path(dir_okay=False, path_type=Path),
            help=text,
        )(command)
    return command


TLS_OPTIONS = [
    ("tls_cert", "PEM certificate chain: servers listen with TLS (or SILO_TLS_CERT)."),
    ("tls_key", "PEM private key of --tls-cert (or SILO_TLS_KEY)."),
    (
        "tls_ca",
        "PEM CA: verifies servers, and servers require client certificates it signed "
        "(or SILO_TLS_CA).",
    ),
]


pass_silo = click.make_pass_decorator(SiloContext)


@click.group()
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML file of settings (flags and SILO_* variables take precedence).",
)
@tls_options
@click.pass_context
def cli(
    ctx: click.Context,
    config_file: Path | None,
    tls_cert: Path | None,
    tls_key: Path | None,
    tls_ca: Path | None,
) -> None:
    """Silo: hybrid-cloud user management (control silo + region silos over gRPC)."""
    ctx.obj = SiloContext(config_file, tls_cert=tls_cert, tls_key=tls_key, tls_ca=tls_ca)


@cli.group()
def serve() -> None:
    """Run one silo's gRPC server."""


class ServedSilo(Protocol):
    """What `silo serve` runs: one silo's composition root."""

    reuse_port: bool

    @property
    def metrics(self) -> Metrics:
        """The process's Prometheus metrics."""

    @property
    def outbox(self) -> OutboxWriter:
        """How units of work write the silo's outbox rows (and whom they tell after commit)."""

    @property
    def drainer(self) -> OutboxDrainer:
        """Delivers the silo's outbox."""

    def check_schema(self) -> None:
        """Raises ``FailedPrecondition`` unless the database is migrated to head."""

    def start_server(self, listen: str | None = None) -> RunningServer:
        """Starts the gRPC server on ``listen``, else on the configured address."""

    def close(self) -> None:
        """Stops background work and releases connections."""


Served = TypeVar("Served", bound=ServedSilo)


def workers_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds ``--workers N`` (passed as ``workers``)."""
    from shared.workers import MAX_WORKERS  # noqa: PLC0415 - small

    return click.option(
        "--workers",
        type=click.IntRange(1, MAX_WORKERS),
        default=1,
        show_default=True,
        help="Processes serving the port (SO_REUSEPORT); the first drains the outbox and runs "
        "the background work. More than 1 needs SILO_CACHE_REDIS_URL when calls are signed.",
    )(command)


def drain_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds ``--drain-seconds S`` (passed as ``drain_seconds``)."""
    return click.option(
        "--drain-seconds",
        type=click.FloatRange(0, 300),
        default=0.0,
        show_default=True,
        help="On SIGTERM, report NOT_SERVING to health checks and keep serving this long before "
        "stopping, so load balancers and health-checking clients move away first.",
    )(command)


def serve_silo(
    settings: Settings,
    *,
    log_level: str,
    default_listen: str,
    build: Callable[[], Served],
    start: Callable[[Served], None],
    announce: Callable[[Served, str], str],
    workers: int = 1,
    drain_seconds: float = 0.0,
) -> None:
    """Runs one silo until SIGTERM: builds it, checks its schema, starts its server, its
    background work (``start``) and its metrics, then says where it serves (``announce`` gets
    ``HOST:PORT (signed)``). A silo that cannot start exits with status 2.

    With ``workers`` above 1 this process supervises that many worker processes on the same port
    (``shared.workers``); a process started as a worker serves, and runs ``start`` only when it
    leads."""
    from shared.logs import configure_logging  # noqa: PLC0415 - heavy imports
    from shared.startup import describe_failure  # noqa: PLC0415
    from shared.workers import WorkerRole, die_with_supervisor  # noqa: PLC0415

    configure_logging(log_level, rpc_log_sample=settings.rpc_log_sample)
    role = WorkerRole.from_environment()
    if role is None and workers > 1:
        sys.exit(_supervise(settings, workers, default_listen, drain_seconds))
    if role is not None:
        die_with_supervisor(role)
    try:
        silo = build()
        silo.check_schema()
        if role is None:
            running = silo.start_server()
        else:
            silo.reuse_port = True
            running = silo.start_server(role.listen)
        _start_background_work(silo, role, start)
        metrics_listen = settings.metrics_listen if role is None else role.metrics_listen
        metrics_port = silo.metrics.serve(metrics_listen) if metrics_listen else None
    except Exception as error:
        reason = describe_failure(error)
        if reason is None:
            raise
        click.echo(f"error: {reason}", err=True)
        sys.exit(2)
    host = (settings.listen or default_listen).rsplit(":", 1)[0]
    signed = "signed" if settings.rpc_shared_secrets else "UNSIGNED (loopback only)"
    if settings.tls.serves_tls:
        signed += ", TLS, client certificates required" if settings.tls_ca else ", TLS"
    announcement = announce(silo, f"{host}:{running.port} ({signed})")
    if role is not None:
        _report_ready(role, running.port, metrics_port, announcement)
    else:
        click.echo(announcement, err=True)
        if metrics_port is not None:
            metrics_host = (settings.metrics_listen or "").rsplit(":", 1)[0]
            click.echo(f"metrics on {metrics_host}:{metrics_port}", err=True)
    try:
        _serve_until_signalled_then_drain(running, drain_seconds)
    finally:
        silo.close()


def _serve_until_signalled_then_drain(running: RunningServer, drain_seconds: float) -> None:
    """Blocks until SIGTERM or SIGINT, then stops gracefully; with ``drain_seconds``, first
    reports NOT_SERVING and keeps serving that long while clients move to other replicas (gRPC
    answers CANCELLED to calls still waiting for a handler when a server stops)."""
    import logging  # noqa: PLC0415 - small
    import signal  # noqa: PLC0415
    import threading  # noqa: PLC0415
    import time  # noqa: PLC0415

    from shared.rpc.server import serve_until_signalled  # noqa: PLC0415 - heavy imports

    if drain_seconds <= 0:
        serve_until_signalled(running)
        return
    log = logging.getLogger("silo.server")
    stopping = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        log.info("received %s, draining for %.1fs", signal.Signals(signum).name, drain_seconds)
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    stopping.wait()
    running.health.enter_graceful_shutdown()
    time.sleep(drain_seconds)
    running.stop()
    log.info("server stopped")


def _start_background_work(
    silo: Served, role: WorkerRole | None, start: Callable[[Served], None]
) -> None:
    """A process of its own and a leading worker run the background work; the leader also takes
    the followers' outbox notices, and a follower sends its own to the leader."""
    import logging  # noqa: PLC0415 - small

    from shared.workers import forward_commits, receive_commits  # noqa: PLC0415

    if role is None:
        start(silo)
        return
    if role.leader:
        start(silo)
        receive_commits(role, silo.drainer.schedule)
        logging.getLogger("silo.workers").info(
            "worker 0 (pid %d) leads: it drains the outbox and runs the background work",
            os.getpid(),
        )
    else:
        silo.outbox.listen(forward_commits(role))


def _report_ready(role: WorkerRole, port: int, metrics_port: int | None, announcement: str) -> None:
    from shared.workers import WorkerReady, report_ready  # noqa: PLC0415

    ready = WorkerReady(role.index, os.getpid(), port, metrics_port, announcement)
    report_ready(role, ready)


def _supervise(settings: Settings, workers: int, default_listen: str, drain_seconds: float) -> int:
    """Runs ``workers`` worker processes of this command line; returns the exit status."""
    from shared.workers import STOP_TIMEOUT_SECONDS, Supervisor, worker_command  # noqa: PLC0415

    if settings.rpc_shared_secrets and not settings.cache_redis_url:
        raise click.UsageError(
            "--workers above 1 needs SILO_CACHE_REDIS_URL: every worker must refuse a signed "
            "call another one accepted (the replay guard lives in Redis)"
        )
    metrics_host = (settings.metrics_listen or "").rsplit(":", 1)[0]

    def announce(leader: WorkerReady, readies: list[WorkerReady]) -> list[str]:
        pids = ", ".join(str(ready.pid) for ready in readies)
        lines = [f"{leader.announcement}; {len(readies)} workers, pids {pids} (the first leads)"]
        lines += [
            f"metrics on {metrics_host}:{ready.metrics_port} "
            f"(worker {ready.index}, pid {ready.pid})"
            for ready in readies
            if ready.metrics_port is not None
        ]
        return lines

    supervisor = Supervisor(
        workers,
        command=worker_command(),
        listen=settings.listen or default_listen,
        metrics_listen=settings.metrics_listen,
        announce=announce,
        echo=lambda line: click.echo(line, err=True),
        stop_timeout=STOP_TIMEOUT_SECONDS + drain_seconds,
    )
    return supervisor.run()


def add_silo_commands(
    group: click.Group, *, serve_command: click.Command, commands: Sequence[click.Command] = ()
) -> None:
    """Adds a silo's `silo serve` subcommand and its other commands to the `silo` group."""
    serve_group = group.commands["serve"]
    assert isinstance(serve_group, click.Group)  # noqa: S101 - defined above
    serve_group.add_command(serve_command)
    for command in commands:
        group.add_command(command)


def _import_command() -> click.Command:
    from shared.relocation.command import import_command  # noqa: PLC0415 - small, click only

    return import_command


cli.add_command(_import_command())


def _export_command() -> click.Command:
    from shared.relocation.export_command import export_command  # noqa: PLC0415 - click only

    return export_command


cli.add_command(_export_command())


def _verify_command() -> click.Command:
    from shared.verify.command import verify_command  # noqa: PLC0415 - small, click only

    return verify_command


cli.add_command(_verify_command())


def _backup_group() -> click.Command:
    from shared.relocation.backup import backup_group  # noqa: PLC0415 - small, click only

    return backup_group


cli.add_command(_backup_group())


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


@cli.group()
def outbox() -> None:
    """Inspect and drain the transactional outboxes."""


def _outbox_table(silo_name: str) -> Any:
    tables = {entry.name: entry for entry in entry_points(group="silo.outboxes")}
    if silo_name not in tables:
        raise click.BadParameter(
            f"{silo_name!r} is not one of {', '.join(sorted(tables))}", param_hint="--silo"
        )
    return tables[silo_name].load()


@outbox.command("status")
@click.option("--silo", "silo_name", required=True, help="Whose outbox: control or region.")
@click.option("--database-url", help="SQLAlchemy URL (default: an SQLite file in the data dir).")
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where SQLite files live.")
@click.option("--name", "region_name", help="The region, for its default SQLite file.")
@pass_silo
def outbox_status(
    silo: SiloContext,
    *,
    silo_name: str,
    database_url: str | None,
    data_dir: Path | None,
    region_name: str | None,
) -> None:
    """Show the backlog per shard (and destination region): rows, oldest age, next attempt."""
    from sqlalchemy.orm import Session  # noqa: PLC0415

    from shared.db.engine import make_engine  # noqa: PLC0415
    from shared.db.types import utcnow  # noqa: PLC0415
    from shared.outbox.status import backlog  # noqa: PLC0415

    table = _outbox_table(silo_name)
    settings = silo.settings(database_url=database_url, data_dir=data_dir, region_name=region_name)
    engine = make_engine(settings.database_url_for(silo_name))
    try:
        problem = _migration_histories()[silo_name].load().outdated_reason(engine)
        if problem is not None:
            raise FailedPrecondition(problem)
        with Session(engine) as session:
            shards = backlog(session, table.model, per_region=table.per_region, now=utcnow())
    finally:
        engine.dispose()
    if not shards:
        click.echo(f"{silo_name} outbox is empty")
        return
    click.echo(
        f"{'region':10} {'scope':20} {'shard':>10} {'rows':>7} {'oldest':>10} {'retry in':>9}"
    )
    for shard in shards:
        click.echo(
            f"{shard.region_name or '-':10} {shard.scope.name:20} {shard.shard_identifier:>10} "
            f"{shard.rows:>7} {shard.oldest_age_seconds:>9.1f}s "
            f"{shard.next_attempt_in_seconds:>8.1f}s"
        )
    total = sum(shard.rows for shard in shards)
    oldest = max(shard.oldest_age_seconds for shard in shards)
    click.echo(f"{len(shards)} shards, {total} rows, oldest {oldest:.1f}s")


@outbox.command("drain")
@click.option("--silo", "silo_name", required=True, help="Whose outbox to deliver.")
@click.option("--name", "region_name", help="The region (for --silo region).")
@click.option("--database-url", help="SQLAlchemy URL (default: an SQLite file in the data dir).")
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where SQLite files live.")
@click.option("--control", "control_address", help="The control silo's HOST:PORT.")
@click.option("--region", "regions", multiple=True, help="NAME=HOST:PORT (for --silo control).")
@click.option("--once", is_flag=True, help="One pass over the due shards, then exit.")
@pass_silo
def outbox_drain(
    silo: SiloContext,
    *,
    silo_name: str,
    region_name: str | None,
    database_url: str | None,
    data_dir: Path | None,
    control_address: str | None,
    regions: tuple[str, ...],
    once: bool,
) -> None:
    """Deliver an outbox out of process (the servers also drain their own)."""
    from shared.logs import configure_logging  # noqa: PLC0415
    from shared.silo_mode import SiloMode  # noqa: PLC0415

    table = _outbox_table(silo_name)
    configure_logging()
    settings = silo.settings(
        mode=SiloMode.parse(silo_name),
        region_name=region_name,
        database_url=database_url,
        data_dir=data_dir,
        control_address=control_address,
        regions=regions or None,
    )
    # Failures (also an unmigrated database) end in main(): one line, exit status 2.
    delivered = table.drain(settings, once)
    click.echo(f"delivered {delivered} messages")


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
    """Console entry point. A command that cannot run (a database that cannot be reached or is
    not migrated, a port in use, a directory that cannot be written, ...) prints one line and
    exits 2."""
    from shared.startup import describe_failure  # noqa: PLC0415 - small

    _load_silo_commands()
    try:
        cli()
    except Exception as error:
        reason = describe_failure(error)
        if reason is None:
            raise
        click.echo(f"error: {reason}", err=True)
        sys.exit(2)
