"""One import against running silos: signed channels to the control silo and the target region,
the check that a full restore goes into empty silos, and the two passes over the file."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

import grpc

from shared.config import Settings
from shared.errors import SiloError
from shared.relocation.chunks import ChunkHeader, ChunkResult, ChunkRow
from shared.relocation.findings import Finding, FindingKind, RelocationError
from shared.relocation.models import owned_by
from shared.relocation.prepass import first_pass
from shared.relocation.records import read_records
from shared.relocation.rpc import DryRunStream, RelocationClient
from shared.relocation.run import ImportOptions, ImportRun, ImportSummary, Progress
from shared.relocation.scopes import ImportScope
from shared.rpc.channel import open_channel
from shared.silo_mode import SiloMode

# A chunk of thousands of rows is one transaction; give it time.
CHUNK_TIMEOUT_SECONDS = 300.0
# A dry run is one stream for the whole import.
DRY_RUN_TIMEOUT_SECONDS = 24 * 3600.0


class ChunkClient(Protocol):
    """What sends a chunk to a silo: an import's client, or a dry run's stream."""

    def import_chunk(self, header: ChunkHeader, rows: Sequence[ChunkRow]) -> ChunkResult:
        """The silo's answer to one chunk."""


class _Sink:
    """Sends chunks to one silo, turning a failed call into a finding."""

    def __init__(self, name: str, client: ChunkClient) -> None:
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
    """The silos an import writes to; in a dry run, a dry-run stream to each."""

    control: grpc.Channel
    region: grpc.Channel | None
    region_name: str | None
    dry_runs: dict[SiloMode, DryRunStream] = field(default_factory=dict)

    @classmethod
    @contextmanager
    def open(
        cls, settings: Settings, region_name: str | None, *, dry_run: bool = False
    ) -> Iterator[ImportTargets]:
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
        targets = cls(control, region, region_name)
        try:
            if dry_run:
                targets.dry_runs[SiloMode.CONTROL] = DryRunStream(control, DRY_RUN_TIMEOUT_SECONDS)
                if region is not None:
                    targets.dry_runs[SiloMode.REGION] = DryRunStream(
                        region, DRY_RUN_TIMEOUT_SECONDS
                    )
            yield targets
        finally:
            # Regions first: a region's dry run may still ask the control silo's.
            for silo in (SiloMode.REGION, SiloMode.CONTROL):
                stream = targets.dry_runs.pop(silo, None)
                if stream is not None:
                    stream.close()
            control.close()
            if region is not None:
                region.close()

    def sinks(self) -> dict[SiloMode, _Sink]:
        """Where each silo's chunks go: its dry-run stream in a dry run."""
        clients: dict[SiloMode, ChunkClient] = {
            SiloMode.CONTROL: RelocationClient(self.control, CHUNK_TIMEOUT_SECONDS)
        }
        if self.region is not None:
            clients[SiloMode.REGION] = RelocationClient(self.region, CHUNK_TIMEOUT_SECONDS)
        clients.update(self.dry_runs)
        names = {SiloMode.CONTROL: "control silo", SiloMode.REGION: f"region {self.region_name}"}
        return {silo: _Sink(names[silo], client) for silo, client in clients.items()}


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
    if options.scope is ImportScope.GLOBAL or options.dry_run:
        # A dry run's first chunk opens each silo's dry run: a region's request for
        # organization ids then joins the control silo's even before any user chunk.
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
    """Sends every target silo an empty dry-run chunk before the first row: it meets the silo's
    check of what a full restore may find (a resumed import passes, as its first chunk is
    recorded), so an occupied silo refuses while nothing is written; in a dry run it also opens
    the silo's dry run."""
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
