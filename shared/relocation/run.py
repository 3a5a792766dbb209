"""The second pass of an import: every row of the file resolved against what was imported before
it, gathered into chunks of one model and sent to the silo that owns the model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from shared.folding import fold_case
from shared.relocation.chunks import ChunkHeader, ChunkResult, ChunkRow, MappedRow, MappingKind
from shared.relocation.findings import Finding, FindingKind, RelocationError
from shared.relocation.idmap import IdMap
from shared.relocation.models import BY_NAME, REFERENCED, USER, ModelSpec, OnMissing
from shared.relocation.prepass import FileFacts, user_reference
from shared.relocation.records import Record
from shared.relocation.scopes import ImportScope
from shared.silo_mode import SiloMode

EMAIL = "sentry.email"
# Rows of a merged user that are not imported (the existing user's own are kept), as Sentry.
MERGED_USER_DROPS = frozenset(
    {"sentry.useremail", "sentry.useroption", "sentry.userip", "sentry.userpermission"}
)


class ChunkSink(Protocol):
    """Where the chunks of one silo's models go."""

    def import_chunk(self, header: ChunkHeader, rows: list[ChunkRow]) -> ChunkResult:
        """Writes the chunk (or returns its recorded result)."""


@dataclass(frozen=True)
class ImportOptions:
    """What the operator asked for."""

    scope: ImportScope
    import_uuid: str
    merge_users: bool = False
    overwrite_configs: bool = False
    hide_organizations: bool = False
    filter_usernames: frozenset[str] | None = None
    filter_org_slugs: frozenset[str] | None = None
    chunk_size: int = 2000
    # Resolve everything against the silos and write nothing.
    dry_run: bool = False


@dataclass
class ModelSummary:
    """How many rows of one model were inserted, reused, overwritten, renamed or left out."""

    inserted: int = 0
    existing: int = 0
    overwritten: int = 0
    renamed: int = 0
    skipped: int = 0

    def count(self, row: MappedRow) -> None:
        """Adds one row's outcome."""
        if row.kind is MappingKind.INSERTED:
            self.inserted += 1
        elif row.kind is MappingKind.EXISTING:
            self.existing += 1
        elif row.kind is MappingKind.OVERWRITE:
            self.overwritten += 1
        else:
            self.skipped += 1
        if row.renamed_to:
            self.renamed += 1


@dataclass
class ImportSummary:
    """Per model outcomes, unknown models passed over, and how many chunks were replayed."""

    models: dict[str, ModelSummary] = field(default_factory=dict)
    unknown_models: Counter[str] = field(default_factory=Counter)
    replayed_chunks: int = 0
    rows: int = 0


Progress = Callable[[str, int], None]


@dataclass
class _Pending:
    spec: ModelSpec
    window: int
    rows: list[ChunkRow] = field(default_factory=list)
    # Rows left out here, in file order with the sent ones: (pk, ordinal).
    left_out: list[tuple[int, int]] = field(default_factory=list)
    id_map: dict[str, dict[int, int]] = field(default_factory=dict)


class ImportRun:
    """Imports one file's records in order; construct it, then call ``run``."""

    def __init__(
        self,
        options: ImportOptions,
        sinks: Mapping[SiloMode, ChunkSink],
        facts: FileFacts,
        progress: Progress | None = None,
    ) -> None:
        self.options = options
        self.sinks = sinks
        self.facts = facts
        self.ids = IdMap()
        self.summary = ImportSummary(unknown_models=facts.unknown_models)
        self._progress = progress or (lambda model, rows: None)
        self._pending: _Pending | None = None
        self._deferred: list[Record] = []
        self._emails = self._emails_of_kept_users()
        # One chunk is in flight while the next one of the same model is read and resolved: the
        # silo writes while this process parses (they overlap on two cores).
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="silo-import-send")
        self._in_flight: Future[None] | None = None

    def run(self, records: Iterable[Record]) -> ImportSummary:
        """Sends every chunk; raises ``RelocationError`` at the first chunk a silo refuses."""
        try:
            for record in records:
                spec = BY_NAME.get(record.model)
                if spec is None:
                    continue
                if spec.deferred:
                    self._deferred.append(record)
                    continue
                self._take(spec, record)
            self._flush()
            for record in self._deferred:
                self._take(BY_NAME[record.model], record)
            self._flush()
            self._settle()
        finally:
            self._sender.shutdown(wait=True)
        return self.summary

    def _take(self, spec: ModelSpec, record: Record) -> None:
        window = (record.ordinal - 1) // self.options.chunk_size
        pending = self._pending
        if pending is None or pending.spec is not spec or pending.window != window:
            self._flush()
            if pending is None or pending.spec is not spec:
                # Another model's rows may point at the one just sent: its ids must be known.
                self._settle()
            pending = self._pending = _Pending(spec, window)
        fields = self._resolve(spec, record, pending)
        if fields is None:
            pending.left_out.append((record.pk, record.ordinal))
        else:
            pending.rows.append(ChunkRow(record.pk, fields, record.ordinal))

    def _kept(self, spec: ModelSpec, record: Record) -> bool:
        if spec.scope not in self.options.scope.covers:
            return False
        if spec.name == USER:
            usernames = self.options.filter_usernames
            if usernames is not None and record.fields.get("username") not in usernames:
                return False
            if self.options.filter_org_slugs is not None:
                return record.pk in self.facts.organization_users
        slugs = self.options.filter_org_slugs
        if spec.name == "sentry.organization" and slugs is not None:
            return fold_case(str(record.fields.get("slug", ""))) in slugs
        if spec.name == EMAIL and self._emails is not None:
            return fold_case(str(record.fields.get("email") or "")) in self._emails
        return True

    def _emails_of_kept_users(self) -> frozenset[str] | None:
        """With a filter, the addresses of the users it keeps: the only sentry.email rows kept
        (Sentry's filter of that model, which has no key to users)."""
        names, slugs = self.options.filter_usernames, self.options.filter_org_slugs
        if names is None and slugs is None:
            return None
        return frozenset(
            address
            for pk, (username, address) in self.facts.user_emails.items()
            if (names is None or username in names)
            and (slugs is None or pk in self.facts.organization_users)
        )

    def _resolve(self, spec: ModelSpec, record: Record, pending: _Pending) -> dict[str, Any] | None:
        """The row's fields with every foreign key as its pk in the file and its new id noted in
        the chunk's id map; None when the row is left out."""
        if not self._kept(spec, record):
            return None
        fields = dict(record.fields)
        for name, key in spec.foreign_keys.items():
            value = fields.get(name)
            if value is None:
                continue
            old = user_reference(value, self.facts.usernames) if key.target == USER else value
            target = self.ids.lookup(key.target, old) if isinstance(old, int) else None
            if target is None or target[1] is MappingKind.SKIPPED or not isinstance(old, int):
                if key.on_missing is OnMissing.NULL:
                    fields[name] = None
                    continue
                return None
            new_id, kind = target
            if (
                key.target == USER
                and kind is MappingKind.EXISTING
                and spec.name in MERGED_USER_DROPS
            ):
                return None
            fields[name] = old
            pending.id_map.setdefault(key.target, {})[old] = new_id
        return fields

    def _flush(self) -> None:
        """Sends the pending chunk once the one in flight is answered (one at a time)."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        self._settle()
        self._in_flight = self._sender.submit(self._send, pending)

    def _settle(self) -> None:
        """Waits for the chunk in flight; its failure is raised here."""
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is not None:
            in_flight.result()

    def _send(self, pending: _Pending) -> None:
        spec = pending.spec
        summary = self.summary.models.setdefault(spec.name, ModelSummary())
        outcomes: dict[int, MappedRow] = {
            pk: MappedRow(pk, 0, MappingKind.SKIPPED) for pk, _ in pending.left_out
        }
        if pending.rows:
            result = self.sinks[spec.silo].import_chunk(self._header(pending), pending.rows)
            self.summary.replayed_chunks += int(result.replayed)
            outcomes.update((row.old_pk, row) for row in result.rows)
            self._check_complete(pending, result)
        remembered = spec.name in REFERENCED
        for pk in sorted(outcomes):
            row = outcomes[pk]
            if remembered:
                self.ids.record(spec.name, pk, row.new_id, row.kind)
            summary.count(row)
        done = len(pending.rows) + len(pending.left_out)
        self.summary.rows += done
        self._progress(spec.name, done)

    def _header(self, pending: _Pending) -> ChunkHeader:
        window_start = pending.window * self.options.chunk_size + 1
        return ChunkHeader(
            import_uuid=self.options.import_uuid,
            scope=self.options.scope,
            model=pending.spec.name,
            min_ordinal=window_start,
            merge_users=self.options.merge_users,
            overwrite_configs=self.options.overwrite_configs,
            hide_organizations=self.options.hide_organizations,
            dry_run=self.options.dry_run,
            id_map=pending.id_map,
        )

    def _check_complete(self, pending: _Pending, result: ChunkResult) -> None:
        answered = {row.old_pk for row in result.rows}
        missing = [row for row in pending.rows if row.pk not in answered]
        if missing:
            raise RelocationError(
                Finding(
                    FindingKind.UNKNOWN,
                    "the silo's answer leaves this row out",
                    model=pending.spec.name,
                    ordinal=missing[0].ordinal,
                    left_pk=missing[0].pk,
                )
            )
