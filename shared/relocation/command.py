"""`silo import`: moves users and organizations from a Sentry (or Silo) export into the silos."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

import click

from shared.config import Settings
from shared.folding import fold_case
from shared.relocation.findings import Finding, FindingKind, RelocationError, write_findings
from shared.relocation.scopes import COMMAND_SCOPES, ImportScope, RelocationScope
from shared.relocation.terminal import Reporter, names_from

if TYPE_CHECKING:
    from shared.relocation.run import ImportSummary

DEFAULT_CHUNK_SIZE = 2000


class SettingsSource(Protocol):
    """What the `silo` group passes its commands: settings with the command's flags on top."""

    def settings(self, **flags: Any) -> Settings:
        """The effective settings, ``flags`` (None = not given) first."""


def _lowered(names: frozenset[str] | None) -> frozenset[str] | None:
    return None if names is None else frozenset(fold_case(name) for name in names)


@contextmanager
def _opened(source: Path, decrypt_with: Path | None) -> Iterator[BinaryIO]:
    from shared.relocation import crypto  # noqa: PLC0415 - cryptography loads only here

    if crypto.is_tar(source):
        if decrypt_with is None:
            # A finding, not a usage error: the findings file must not read as a success.
            raise RelocationError(
                Finding(
                    FindingKind.DESERIALIZATION_FAILED,
                    f"{source} is encrypted: give --decrypt-with PRIVATE_KEY.pem",
                )
            )
        with crypto.decrypted(source, crypto.load_private_key(decrypt_with)) as stream:
            yield stream
    else:
        with source.open("rb") as stream:
            yield stream


@click.command("import")
@click.argument("scope", type=click.Choice(COMMAND_SCOPES))
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--decrypt-with",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM private key of an encrypted export (a tar).",
)
@click.option("--filter-usernames", multiple=True, help="Only these users (comma-separated).")
@click.option(
    "--filter-usernames-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Only the users named in this file, one per line.",
)
@click.option(
    "--filter-org-slugs",
    multiple=True,
    help="Only these organizations and their members' users (comma-separated).",
)
@click.option("--merge-users", is_flag=True, help="Reuse an existing user of the same username.")
@click.option("--overwrite-configs", is_flag=True, help="Replace existing roles (config, global).")
@click.option(
    "--hide-organizations",
    is_flag=True,
    help="Import organizations as relocation pending approval.",
)
@click.option("--import-uuid", help="The import's id: the same id resumes an interrupted import.")
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="The region organizations go to (NAME), or a region's address (NAME=HOST:PORT).",
)
@click.option("--control", "control_address", help="The control silo's HOST:PORT.")
@click.option(
    "--findings-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the findings as JSON (an empty list on success).",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(1, 50_000),
    default=DEFAULT_CHUNK_SIZE,
    show_default=True,
    help="Rows per chunk (one transaction each).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Resolve everything against the silos and print the plan; write nothing.",
)
@click.option("--no-prompt", is_flag=True, help="Do not ask for confirmation.")
@click.option("--silent", is_flag=True, help="Print nothing but errors.")
@click.pass_obj
def import_command(
    silo: SettingsSource,
    *,
    scope: str,
    source: Path,
    decrypt_with: Path | None,
    filter_usernames: tuple[str, ...],
    filter_usernames_file: Path | None,
    filter_org_slugs: tuple[str, ...],
    merge_users: bool,
    overwrite_configs: bool,
    hide_organizations: bool,
    import_uuid: str | None,
    regions: tuple[str, ...],
    control_address: str | None,
    findings_file: Path | None,
    chunk_size: int,
    dry_run: bool,
    no_prompt: bool,
    silent: bool,
) -> None:
    """Import SCOPE (users, organizations, config or global) from SOURCE, a Sentry export
    (plain JSON, or an encrypted tar with --decrypt-with). Rerunning with the same --import-uuid
    resumes after an interruption and writes nothing twice."""
    from shared.relocation.run import ImportOptions  # noqa: PLC0415
    from shared.relocation.session import ImportTargets, run_import  # noqa: PLC0415

    addresses = tuple(value for value in regions if "=" in value)
    targets = [value for value in regions if "=" not in value]
    settings = silo.settings(control_address=control_address, regions=addresses or None)
    import_scope = ImportScope.from_command(scope)
    options = ImportOptions(
        scope=import_scope,
        import_uuid=import_uuid or uuid.uuid4().hex,
        merge_users=merge_users,
        overwrite_configs=overwrite_configs,
        hide_organizations=hide_organizations,
        filter_usernames=names_from(filter_usernames, filter_usernames_file, "--filter-usernames"),
        filter_org_slugs=_lowered(names_from(filter_org_slugs, None, "--filter-org-slugs")),
        chunk_size=chunk_size,
        dry_run=dry_run,
    )
    region = _target_region(targets, settings.regions, import_scope)
    if not no_prompt and sys.stdin.isatty():
        click.confirm(f"Import {scope} from {source} into the silos?", abort=True)
    reporter = Reporter(silent)
    findings: list[Finding] = []
    try:
        with ExitStack() as stack:
            target = stack.enter_context(ImportTargets.open(settings, region, dry_run=dry_run))
            summary = run_import(
                options,
                target,
                lambda: stack.enter_context(_opened(source, decrypt_with)),
                reporter,
                reporter.counted,
            )
    except RelocationError as error:
        reporter.done()
        findings.append(error.finding)
        click.echo(f"error: {error.finding}", err=True)
        if not dry_run:
            click.echo(
                f"Resume after fixing the cause with --import-uuid {options.import_uuid}",
                err=True,
            )
    finally:
        if findings_file is not None:
            write_findings(findings_file, findings)
    if findings:
        sys.exit(1)
    reporter.done()
    if not silent:
        _print_summary(summary, options.import_uuid, dry_run=dry_run)


def _target_region(targets: list[str], known: Mapping[str, str], scope: ImportScope) -> str | None:
    names = sorted(known)
    if RelocationScope.ORGANIZATION not in scope.covers:
        return None
    if len(targets) > 1:
        raise click.UsageError("name one --region for the organizations")
    if targets:
        if targets[0] not in names:
            raise click.UsageError(
                f"region {targets[0]!r} has no address: give --region {targets[0]}=HOST:PORT "
                "or set SILO_REGIONS"
            )
        return targets[0]
    if len(names) == 1:
        return names[0]
    raise click.UsageError(
        "organizations need a region: --region NAME (with its address in --region NAME=HOST:PORT "
        "or SILO_REGIONS)"
    )


def _print_summary(summary: ImportSummary, import_uuid: str, *, dry_run: bool) -> None:
    if dry_run:
        click.echo(f"dry run of import {import_uuid}: {summary.rows} rows, nothing was written")
    else:
        click.echo(f"import {import_uuid}: {summary.rows} rows")
    click.echo(
        f"{'model':32} {'inserted':>9} {'reused':>7} {'overwrote':>9} {'renamed':>8} {'skipped':>8}"
    )
    for model, counts in summary.models.items():
        click.echo(
            f"{model:32} {counts.inserted:>9} {counts.existing:>7} {counts.overwritten:>9} "
            f"{counts.renamed:>8} {counts.skipped:>8}"
        )
    for model, rows in sorted(summary.unknown_models.items()):
        click.echo(f"{model:32} skipped {rows} rows: Silo does not keep this model")
    if summary.replayed_chunks:
        click.echo(f"{summary.replayed_chunks} chunks were written before and not written again")
