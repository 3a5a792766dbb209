"""`silo backup`: encrypts and decrypts exports in Sentry's tar, and compares two exports.

Every command writes its output under a temporary name in the destination's directory and renames
it at the end, so a failure (a wrong key, a damaged tar, an unwritable directory) leaves no output
file behind and exits non-zero.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from shared.relocation.findings import Finding, FindingKind, RelocationError, write_findings

if TYPE_CHECKING:
    from shared.relocation.compare.ordinals import Opener

_COPY = 1 << 16


@contextmanager
def atomic_output(destination: Path) -> Iterator[IO[bytes]]:
    """A file to write ``destination``'s bytes to: a temporary file beside it, renamed over it when
    the block ends without an exception and removed otherwise."""
    directory = destination.parent
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{destination.name}.", suffix=".partial", dir=directory
        )
    except OSError as error:
        raise RelocationError(
            Finding(FindingKind.UNKNOWN, f"cannot write to {directory}: {error.strerror}")
        ) from None
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
        os.replace(temporary, destination)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise RelocationError(
            Finding(FindingKind.UNKNOWN, f"cannot write {destination}: {error}")
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def encrypt_file(source: Path, public_key: Path, destination: Path) -> None:
    """Writes Sentry's encrypted tar of the export ``source`` (checked to be a JSON array of
    records first, streaming) for ``public_key`` to ``destination``."""
    from shared.relocation import crypto  # noqa: PLC0415 - cryptography loads only here
    from shared.relocation.records import read_records  # noqa: PLC0415

    crypto.load_public_key(public_key)
    try:
        with source.open("rb") as stream:
            for _ in read_records(stream):
                pass
    except OSError as error:
        raise RelocationError(
            Finding(FindingKind.DESERIALIZATION_FAILED, f"cannot read {source}: {error.strerror}")
        ) from None
    with atomic_output(destination) as output:
        crypto.encrypt(source, public_key, output)


def decrypt_file(source: Path, private_key: Path, destination: Path) -> None:
    """Writes the plaintext export inside the encrypted tar ``source`` to ``destination``: the
    token's HMAC is checked before a byte is written, and nothing is left on failure."""
    from shared.relocation import crypto  # noqa: PLC0415 - cryptography loads only here

    key = crypto.load_private_key(private_key)
    if not crypto.is_tar(source):
        raise RelocationError(
            Finding(FindingKind.DESERIALIZATION_FAILED, f"{source} is not an encrypted tar")
        )
    with crypto.decrypted(source, key) as plaintext, atomic_output(destination) as output:
        shutil.copyfileobj(plaintext, output, _COPY)


def _fail(error: RelocationError, findings_file: Path | None = None) -> None:
    click.echo(f"error: {error.finding}", err=True)
    if findings_file is not None:
        write_findings(findings_file, [error.finding])
    sys.exit(2)


_EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_DESTINATION = click.Path(dir_okay=False, path_type=Path)


@click.group("backup")
def backup_group() -> None:
    """Encrypt, decrypt and compare exports (Sentry's `sentry backup` tools)."""


@backup_group.command("encrypt")
@click.argument("destination", type=_DESTINATION)
@click.option("--src", "source", required=True, type=_EXISTING_FILE, help="The plain JSON export.")
@click.option(
    "--encrypt-with", required=True, type=_EXISTING_FILE, help="PEM RSA public key to encrypt for."
)
def encrypt_command(destination: Path, source: Path, encrypt_with: Path) -> None:
    """Encrypt the export --src into DESTINATION, Sentry's tar (export.json, data.key, key.pub)."""
    try:
        encrypt_file(source, encrypt_with, destination)
    except RelocationError as error:
        _fail(error)
    click.echo(f"encrypted {source} into {destination}", err=True)


@backup_group.command("decrypt")
@click.argument("destination", type=_DESTINATION)
@click.option("--src", "source", required=True, type=_EXISTING_FILE, help="The encrypted tar.")
@click.option(
    "--decrypt-with",
    required=True,
    type=_EXISTING_FILE,
    help="PEM RSA private key whose public half the tar was encrypted for.",
)
def decrypt_command(destination: Path, source: Path, decrypt_with: Path) -> None:
    """Decrypt the tar --src (written by `silo backup encrypt`, `silo export --encrypt-with` or
    Sentry) into DESTINATION, the plain JSON export."""
    try:
        decrypt_file(source, decrypt_with, destination)
    except RelocationError as error:
        _fail(error)
    click.echo(f"decrypted {source} into {destination}", err=True)


def export_opener(path: Path, private_key: Path | None) -> Opener:
    """Opens the export at ``path`` for reading, decrypting it when it is a tar."""
    from shared.relocation import crypto  # noqa: PLC0415 - cryptography loads only here

    if not crypto.is_tar(path):
        return lambda: path.open("rb")
    if private_key is None:
        raise RelocationError(
            Finding(
                FindingKind.DESERIALIZATION_FAILED,
                f"{path} is encrypted: give its private key (--decrypt-left-with or "
                "--decrypt-right-with)",
            )
        )
    key = crypto.load_private_key(private_key)
    return lambda: crypto.decrypted(path, key)


@backup_group.command("compare")
@click.argument("left", type=_EXISTING_FILE)
@click.argument("right", type=_EXISTING_FILE)
@click.option(
    "--decrypt-left-with", type=_EXISTING_FILE, help="PEM private key of LEFT, if it is a tar."
)
@click.option(
    "--decrypt-right-with", type=_EXISTING_FILE, help="PEM private key of RIGHT, if it is a tar."
)
@click.option(
    "--findings-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the findings as JSON (an empty list when the files are equal).",
)
def compare_command(
    left: Path,
    right: Path,
    decrypt_left_with: Path | None,
    decrypt_right_with: Path | None,
    findings_file: Path | None,
) -> None:
    """Compare the exports LEFT and RIGHT as Sentry's validation does: per-model counts, rows
    matched by ordinal, foreign keys by what they point at, and the fields an import may change
    (suffixed names, dates that grew, claim state) by their rules. Exits 0 when they are equal,
    1 when they differ, 2 when a file cannot be read."""
    from shared.relocation.compare.findings import write_comparator_findings  # noqa: PLC0415
    from shared.relocation.compare.run import compare_exports  # noqa: PLC0415

    try:
        findings = compare_exports(
            export_opener(left, decrypt_left_with), export_opener(right, decrypt_right_with)
        )
    except RelocationError as error:
        _fail(error, findings_file)
    for finding in findings:
        click.echo(str(finding))
    click.echo(f"found {len(findings)} differences")
    if findings_file is not None:
        write_comparator_findings(findings_file, findings)
    if findings:
        sys.exit(1)
