"""One import against running silos: signed channels to the control silo and the target region,
the check that a full restore goes into empty silos, and the two passes over the file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import grpc

from shared.config import Settings
from shared.errors import SiloError
from shared.relocation.chunks import ChunkHeader, ChunkResult, ChunkRow
from shared.relocation.findings import Finding, FindingKind, RelocationError
from shared.relocation.models import owned_by
from shared.relocation.prepass import first_pass
from shared.relocation.records import read_records
from shared.relocation.rpc import RelocationClient
from shared.relocation.run import ImportOptions, ImportRun, ImportSummary, Progress
from shared.relocation.scopes import ImportScope
from shared.rpc.channel import open_channel
from shared.silo_mode import SiloMode

# A chunk of thousands of rows is one transaction; give it time.
CHUNK_TIMEOUT_SECONDS = 300.0


class _Sink:
    """Sends chunks to one silo, turning a failed call into a finding."""

    def __init__(self, name: str, client: RelocationClient) -> None:
        self._name = name
        self._client = client

    def import_chunk(self, header: ChunkHeader, rows: list[ChunkRow]) -> ChunkResult:
        try:
            return self._client.import_chunk(header, rows)
        except SiloError as error:
            raise RelocationError(
                Finding(
                    FindingKind.UNKNOWN,
                    f"the {self._name} did not take the chunk: {error}",
                    model=header.model,
                    ordinal=header.min_ordinal,
                )
            ) from None


@dataclass
class ImportTargets:
    """The silos an import writes to."""

    control: grpc.Channel
    region: grpc.Channel | None
    region_name: str | None

    @classmethod
    @contextmanager
    def open(cls, settings: Settings, region_name: str | None) -> Iterator[ImportTargets]:
        """Signed channels to the control silo and, when given, the region."""
        secret = settings.signing_secret
        control = open_channel(
            settings.control_address, secret=secret, timeout=settings.rpc_timeout
        )
        region = (
            open_channel(settings.regions[region_name], secret=secret, timeout=settings.rpc_timeout)
            if region_name is not None
            else None
        )
        try:
            yield cls(control, region, region_name)
        finally:
            control.close()
            if region is not None:
                region.close()

    def sinks(self) -> dict[SiloMode, _Sink]:
        """Where each silo's chunks go."""
        sinks = {
            SiloMode.CONTROL: _Sink(
                "control silo", RelocationClient(self.control, CHUNK_TIMEOUT_SECONDS)
            )
        }
        if self.region is not None:
            sinks[SiloMode.REGION] = _Sink(
                f"region {self.region_name}", RelocationClient(self.region, CHUNK_TIMEOUT_SECONDS)
            )
        return sinks


def run_import(
    options: ImportOptions,
    targets: ImportTargets,
    open_source: Callable[[], BinaryIO],
    progress: Progress | None = None,
    counted: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Checks the whole file, then imports it chunk by chunk; raises ``RelocationError`` with the
    first finding (nothing is written when the file's structure is at fault). ``counted`` learns
    how many records the file holds once the first pass has read them."""
    if options.scope is ImportScope.GLOBAL:
        _probe_empty(options, targets)
    filtered = options.filter_usernames is not None or options.filter_org_slugs is not None
    facts = first_pass(
        read_records(open_source()),
        options.filter_org_slugs,
        user_emails=filtered,
        scope=options.scope,
    )
    if counted is not None:
        counted(facts.rows)
    run = ImportRun(options, targets.sinks(), facts, progress)
    return run.run(read_records(open_source()))


def _probe_empty(options: ImportOptions, targets: ImportTargets) -> None:
    """Asks every target silo, before the first row is sent, whether a full restore may begin:
    an empty dry-run chunk meets the silo's check of what it holds (a resumed import passes, as
    its first chunk is recorded), so an occupied silo refuses while nothing is written."""
    for silo, sink in targets.sinks().items():
        probe = owned_by(silo)[-1].name
        sink.import_chunk(
            ChunkHeader(
                import_uuid=options.import_uuid,
                scope=options.scope,
                model=probe,
                min_ordinal=1,
                dry_run=True,
            ),
            [],
        )
