"""`silo export`: writes users and organizations as a Sentry export file, plain or encrypted."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from shared.relocation.command import SettingsSource
from shared.relocation.findings import Finding, FindingKind, RelocationError, write_findings
from shared.relocation.scopes import COMMAND_SCOPES, ImportScope, RelocationScope
from shared.relocation.terminal import Reporter, names_from

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.relocation.export_run import ExportSources

# Reading a page of thousands of rows is quick, but a whole model streams through one call.
EXPORT_TIMEOUT_SECONDS = 3600.0


@contextmanager
def _sources(settings: Settings, regions: list[str]) -> Iterator[ExportSources]:
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
        )


@contextmanager
def _destination(destination: str) -> Iterator[IO[bytes]]:
    """The output: stdout for ``-``, else a temporary file beside DEST renamed to DEST only once
    everything was written (a failure leaves no DEST and no temporary file)."""
    if destination == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(destination)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    except OSError as error:
        raise _refused(f"cannot write {destination}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def _plaintext(out: IO[bytes], encrypt_with: Path | None) -> Iterator[IO[bytes]]:
    """Where the JSON goes: ``out`` itself, or a private temporary file encrypted into ``out``
    (Sentry's tar) once complete, then removed."""
    if encrypt_with is None:
        yield out
        return
    from shared.relocation import crypto  # noqa: PLC0415 - cryptography loads only here

    crypto.load_public_key(encrypt_with)  # an unreadable key fails before any row is read
    with tempfile.NamedTemporaryFile(prefix="silo-export-", suffix=".json") as plain:
        yield plain
        plain.flush()
        crypto.encrypt(Path(plain.name), encrypt_with, out)


def _refused(reason: str, field: str | None = None) -> RelocationError:
    return RelocationError(Finding(FindingKind.VALIDATION_ERROR, reason, field=field))


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
    help="A region to read organizations from, as NAME or NAME=HOST:PORT (default: every "
    "region in SILO_REGIONS).",
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
    requested = [value.split("=", 1)[0] for value in regions]
    chosen = _regions(requested, sorted(settings.regions), export_scope)
    options = ExportOptions(
        scope=export_scope,
        usernames=names_from(filter_usernames, filter_usernames_file),
        org_slugs=names_from(filter_org_slugs, None),
    )
    if not no_prompt and sys.stdin.isatty() and destination != "-":
        click.confirm(f"Export {scope} to {destination}?", abort=True)
    reporter = Reporter(silent or (destination == "-" and not sys.stderr.isatty()))
    findings: list[Finding] = []
    counts: dict[str, int] = {}
    try:
        with (
            _sources(settings, chosen) as sources,
            _destination(destination) as out,
            _plaintext(out, encrypt_with) as plain,
        ):
            reporter.counted(None)
            counts = run_export(options, sources, plain, indent=indent, progress=reporter)
    except RelocationError as error:
        findings.append(error.finding)
        reporter.done()
        click.echo(f"error: {error.finding}", err=True)
    finally:
        if findings_file is not None:
            write_findings(findings_file, findings)
    if findings:
        sys.exit(1)
    reporter.done()
    if not silent:
        total = sum(counts.values())
        where = "stdout" if destination == "-" else destination
        click.echo(f"exported {total} rows to {where}", err=True)
        for model, rows in counts.items():
            click.echo(f"{model:32} {rows:>9}", err=True)
