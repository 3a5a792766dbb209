"""`silo export`: writes users and organizations as a Sentry export file, plain or encrypted."""

from __future__ import annotations

import os
import signal
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING

import click

from shared.relocation.command import SettingsSource
from shared.relocation.findings import Finding, FindingKind, RelocationError, write_findings
from shared.relocation.scopes import COMMAND_SCOPES, ImportScope, RelocationScope
from shared.relocation.terminal import Reporter, names_from

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.relocation.export_run import ExportSources, ExportSummary

# Reading a page of thousands of rows is quick, but a whole model streams through one call.
EXPORT_TIMEOUT_SECONDS = 3600.0


@contextmanager
def _sources(
    settings: Settings, regions: list[str], *, every_region: bool
) -> Iterator[ExportSources]:
    from shared.relocation.export_run import ExportSources  # noqa: PLC0415
    from shared.relocation.rpc import RelocationClient  # noqa: PLC0415
    from shared.rpc.channel import open_channel  # noqa: PLC0415

    with ExitStack() as stack:

        def client(address: str) -> RelocationClient:
            channel = stack.enter_context(
                open_channel(address, secret=settings.signing_secret, timeout=settings.rpc_timeout)
            )
            return RelocationClient(channel, EXPORT_TIMEOUT_SECONDS)

        yield ExportSources(
            client(settings.control_address),
            {name: client(settings.regions[name]) for name in regions},
            every_region=every_region,
        )


@contextmanager
def _destination(destination: str) -> Iterator[IO[bytes]]:
    """The output: stdout for ``-``; a device or a FIFO written through; else a temporary file
    beside DEST (beside its target, for a symlink) renamed to it only once everything was
    written, so a failure leaves no DEST and no temporary file."""
    if destination == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(destination)
    if path.is_dir():
        raise _refused(f"cannot write {destination}: it is a directory")
    if path.exists() and not path.is_file():
        with path.open("wb") as stream:
            yield stream
        return
    target = path.resolve()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as error:
        raise _refused(f"cannot write {destination}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _private_directory(destination: str) -> Path | None:
    """Where the plaintext of an encrypted export waits: beside DEST's target when DEST is a
    file, so it never sits in a shared temporary directory."""
    if destination == "-":
        return None
    path = Path(destination)
    if path.exists() and not path.is_file():
        return None
    return path.resolve().parent


@contextmanager
def _plaintext(
    out: IO[bytes], encrypt_with: Path | None, directory: Path | None
) -> Iterator[IO[bytes]]:
    """Where the JSON goes: ``out`` itself, or a private temporary file (in ``directory``)
    encrypted into ``out`` (Sentry's tar) once complete, then removed."""
    if encrypt_with is None:
        yield out
        return
    from shared.relocation import crypto  # noqa: PLC0415 - cryptography loads only here

    crypto.load_public_key(encrypt_with)  # an unreadable key fails before any row is read
    with tempfile.NamedTemporaryFile(
        prefix=".silo-export-", suffix=".json", dir=directory
    ) as plain:
        yield plain
        plain.flush()
        crypto.encrypt(Path(plain.name), encrypt_with, out)


@contextmanager
def _terminated_cleanly() -> Iterator[None]:
    """SIGTERM ends the command as Ctrl-C does: temporary files (the plaintext of an encrypted
    export among them) are removed on the way out."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: nothing to install
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _refused(reason: str) -> RelocationError:
    return RelocationError(Finding(FindingKind.VALIDATION_ERROR, reason))


def _regions(requested: list[str], known: list[str], scope: ImportScope) -> list[str]:
    if RelocationScope.ORGANIZATION not in scope.covers:
        return []
    for name in requested:
        if name not in known:
            raise click.UsageError(
                f"region {name!r} has no address: give --region {name}=HOST:PORT or set "
                "SILO_REGIONS"
            )
    chosen = sorted(set(requested)) if requested else known
    if not chosen:
        raise click.UsageError(
            "organizations are read from the regions: give --region NAME=HOST:PORT or set "
            "SILO_REGIONS"
        )
    return chosen


@click.command("export")
@click.argument("scope", type=click.Choice(COMMAND_SCOPES))
@click.argument("destination", default="-", metavar="[DEST]")
@click.option(
    "--encrypt-with",
    type=click.Path(dir_okay=False, path_type=Path),
    help="PEM public key: write Sentry's encrypted tar instead of JSON.",
)
@click.option(
    "--filter-usernames", multiple=True, help="Only these users (comma-separated, repeatable)."
)
@click.option(
    "--filter-usernames-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Only the users named in this file, one per line.",
)
@click.option(
    "--filter-org-slugs",
    multiple=True,
    help="Only these organizations (comma-separated, repeatable).",
)
@click.option(
    "--indent", type=click.IntRange(0, 16), default=2, show_default=True, help="JSON indent."
)
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="A region to read organizations from (NAME; default: every region known), or a "
    "region's address (NAME=HOST:PORT, adding to SILO_REGIONS).",
)
@click.option("--control", "control_address", help="The control silo's HOST:PORT.")
@click.option(
    "--findings-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the findings here as JSON (an empty list on success).",
)
@click.option("--no-prompt", is_flag=True, help="Do not ask for confirmation.")
@click.option("--silent", is_flag=True, help="Print nothing but errors.")
@click.pass_obj
def export_command(
    silo: SettingsSource,
    *,
    scope: str,
    destination: str,
    encrypt_with: Path | None,
    filter_usernames: tuple[str, ...],
    filter_usernames_file: Path | None,
    filter_org_slugs: tuple[str, ...],
    indent: int,
    regions: tuple[str, ...],
    control_address: str | None,
    findings_file: Path | None,
    no_prompt: bool,
    silent: bool,
) -> None:
    """Export SCOPE (users, organizations, config or global) to DEST (stdout when absent or
    `-`) as a Sentry export file: JSON, or an encrypted tar with --encrypt-with."""
    from shared.relocation.export_run import ExportOptions, run_export  # noqa: PLC0415

    addresses = tuple(value for value in regions if "=" in value)
    settings = silo.settings(control_address=control_address, regions=addresses or None)
    export_scope = ImportScope.from_command(scope)
    # `--region NAME` picks regions to read; `--region NAME=HOST:PORT` only gives an address.
    requested = [value for value in regions if "=" not in value]
    known = sorted(settings.regions)
    chosen = _regions(requested, known, export_scope)
    options = ExportOptions(
        scope=export_scope,
        usernames=names_from(filter_usernames, filter_usernames_file, "--filter-usernames"),
        org_slugs=names_from(filter_org_slugs, None, "--filter-org-slugs"),
    )
    if not no_prompt and sys.stdin.isatty() and destination != "-":
        click.confirm(f"Export {scope} to {destination}?", abort=True)
    reporter = Reporter(silent or (destination == "-" and not sys.stderr.isatty()))
    findings: list[Finding] = []
    summary: ExportSummary | None = None
    try:
        with (
            _terminated_cleanly(),
            _sources(settings, chosen, every_region=chosen == known) as sources,
            _destination(destination) as out,
            _plaintext(out, encrypt_with, _private_directory(destination)) as plain,
        ):
            reporter.counted(None)
            summary = run_export(options, sources, plain, indent=indent, progress=reporter)
    except (RelocationError, OSError, tarfile.TarError) as error:
        finding = (
            error.finding
            if isinstance(error, RelocationError)
            else Finding(FindingKind.UNKNOWN, f"the export could not be written: {error}")
        )
        findings.append(finding)
        reporter.done()
        click.echo(f"error: {finding}", err=True)
    finally:
        if findings_file is not None:
            write_findings(findings_file, findings)
    if findings:
        sys.exit(1)
    reporter.done()
    if summary is not None and summary.ambiguous_keys:
        click.echo(
            f"warning: {summary.ambiguous_keys} user options name a project id that several "
            "regions hold and no organization: each was written for the first region's project "
            "(docs/export.md)",
            err=True,
        )
    if not silent and summary is not None:
        where = "stdout" if destination == "-" else destination
        click.echo(f"exported {sum(summary.counts.values())} rows to {where}", err=True)
        for model, rows in summary.counts.items():
            click.echo(f"{model:32} {rows:>9}", err=True)
