"""`silo devserver`: the control silo and regions us and de, each its own process, on SQLite
files under one data dir, sharing a generated secret."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from importlib.metadata import entry_points
from pathlib import Path

import click

from shared.config import DEFAULT_CONTROL_LISTEN, DEFAULT_REGION_PORT, Settings
from shared.db.migrations import upgrade_url
from shared.rpc.server import check_free

SECRET_FILE_NAME = "rpc-shared-secret"  # noqa: S105 - a file name, not a secret


@dataclass(frozen=True)
class SiloProcess:
    """One child process of the devserver."""

    label: str
    address: str
    command: list[str]


def shared_secret(data_dir: Path) -> tuple[str, Path]:
    """The devserver's shared secret, generated once and kept (mode 0600) in the data dir."""
    path = data_dir / SECRET_FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip(), path


DEVSERVER_REGIONS = ("us", "de")


def region_addresses(settings: Settings) -> dict[str, str]:
    """The devserver's regions: the configured directory, else us and de on 50061 and 50062."""
    if settings.regions:
        return dict(settings.regions)
    return {
        name: f"127.0.0.1:{DEFAULT_REGION_PORT + offset}"
        for offset, name in enumerate(DEVSERVER_REGIONS)
    }


def _processes(settings: Settings, regions: dict[str, str]) -> list[SiloProcess]:
    control = settings.listen or DEFAULT_CONTROL_LISTEN
    silo = [sys.executable, "-m", "shared"]
    directory = [
        argument
        for name, address in regions.items()
        for argument in ("--region", f"{name}={address}")
    ]
    processes = [
        SiloProcess(
            label="control",
            address=control,
            command=[
                *silo,
                "serve",
                "control",
                "--listen",
                control,
                "--database-url",
                settings.database_url_for("control"),
                *directory,
            ],
        )
    ]
    for name, address in regions.items():
        database = replace(settings, region_name=name).database_url_for("region")
        processes.append(
            SiloProcess(
                label=f"region {name}",
                address=address,
                command=[
                    *silo,
                    "serve",
                    "region",
                    "--name",
                    name,
                    "--listen",
                    address,
                    "--control",
                    control,
                    "--database-url",
                    database,
                ],
            )
        )
    return processes


def _migrate(settings: Settings, regions: dict[str, str]) -> None:
    histories = {entry.name: entry.load() for entry in entry_points(group="silo.migrations")}
    upgrade_url(histories["control"], settings.database_url_for("control"))
    for name in regions:
        url = replace(settings, region_name=name).database_url_for("region")
        upgrade_url(histories["region"], url)


def run_devserver(settings: Settings) -> int:
    """Migrates the SQLite files, starts every silo and waits; SIGINT or SIGTERM stops them all.

    Returns the exit code: 0 after a requested stop, 1 when a silo exits on its own.
    """
    # Each silo gets its own SQLite file; a configured database URL would make them share one.
    settings = replace(settings, database_url=None)
    data_dir = settings.data_dir.resolve()
    secret, secret_path = shared_secret(data_dir)
    regions = region_addresses(settings)
    for address in [settings.listen or DEFAULT_CONTROL_LISTEN, *regions.values()]:
        check_free(address)
    _migrate(settings, regions)
    environment = {**os.environ, "SILO_RPC_SHARED_SECRETS": secret}
    children = [
        (process, subprocess.Popen(process.command, env=environment))  # noqa: S603 - own argv
        for process in _processes(settings, regions)
    ]
    click.echo(f"data dir:      {data_dir}")
    click.echo(f"shared secret: written to {secret_path}")
    for process, _ in children:
        click.echo(f"{process.label + ':':14} {process.address}")
    click.echo("clients sign with that secret: see README.md, 'Calling a silo'")
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exited = None
    while not stopping and exited is None:
        time.sleep(0.2)
        exited = next((p for p, child in children if child.poll() is not None), None)
    for _, child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for _, child in children:
        child.wait(timeout=30)
    if exited is not None and not stopping:
        click.echo(f"{exited.label} silo exited; stopping the others", err=True)
        return 1
    return 0
