"""One export against running silos: the selection the scope and filters make, then each model's
rows from the silos that own it, in the file's order, written as Sentry's export file."""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any

import orjson

from shared.errors import SiloError
from shared.folding import fold_case
from shared.relocation.exports import ExportRequest, Selection, SelectionAnswer, SelectionQuery
from shared.relocation.findings import Finding, FindingKind, RelocationError
from shared.relocation.models import BY_NAME, EXPORT_ORDER, ORGANIZATION, REFERENCED
from shared.relocation.rpc import RelocationClient
from shared.relocation.scopes import ImportScope, RelocationScope
from shared.silo_mode import SiloMode

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class ExportOptions:
    """What to export: the scope and its filters (None: no filter)."""

    scope: ImportScope
    usernames: frozenset[str] | None = None
    org_slugs: frozenset[str] | None = None


@dataclass
class ExportSources:
    """The silos an export reads: the control silo and the regions, by name, and whether those
    are every region of the installation."""

    control: RelocationClient
    regions: Mapping[str, RelocationClient]
    every_region: bool = True


@dataclass(frozen=True)
class ExportSelection:
    """Which users and, per region, which organizations the export takes (None: every one),
    which organizations the auth providers must belong to (None: any), the region of each
    organization the regions named, and the last id of each model when the silos selected, by
    region (None: the control silo)."""

    users: frozenset[int] | None
    organizations: Mapping[str, frozenset[int] | None]
    auth_organizations: frozenset[int] | None = None
    regions_of: Mapping[int, str] = field(default_factory=dict)
    last_ids: Mapping[str | None, Mapping[str, int]] = field(default_factory=dict)

    def request(self, model: str, region: str | None) -> ExportRequest:
        """One model's request to its silo: what it selects, up to the model's last id."""
        return ExportRequest(
            model, self.for_model(model, region), self.last_ids.get(region, {}).get(model)
        )

    def for_model(self, model: str, region: str | None) -> Selection:
        """What one model's request asks of its silo."""
        if region is not None:
            return Selection(organization_ids=self.organizations[region])
        if model == "sentry.authprovider":
            return Selection(organization_ids=self.auth_organizations)
        return Selection(user_ids=self.users)


def _unknown(what: str, values: list[str]) -> RelocationError:
    return RelocationError(
        Finding(
            FindingKind.VALIDATION_ERROR,
            f"no {what} {', '.join(repr(v) for v in values[:20])}"
            + (f" and {len(values) - 20} more" if len(values) > 20 else ""),
            field="--filter-usernames" if what == "user" else "--filter-org-slugs",
        )
    )


def select(options: ExportOptions, sources: ExportSources) -> ExportSelection:
    """Asks the silos what the scope and filters select; a filter value no silo holds is a
    finding, as is a filter the scope does not take."""
    scope = options.scope
    if options.usernames is not None and scope not in (ImportScope.USER, ImportScope.CONFIG):
        raise _filter_refused("--filter-usernames", "users and config")
    if options.org_slugs is not None and scope is not ImportScope.ORGANIZATION:
        raise _filter_refused("--filter-org-slugs", "organizations")
    covers_organizations = RelocationScope.ORGANIZATION in scope.covers
    if not covers_organizations:
        answer = _asked(
            "the control silo",
            lambda: sources.control.select_for_export(
                SelectionQuery(scope, usernames=options.usernames)
            ),
        )
        if answer.unmatched_usernames:
            raise _unknown("user", list(answer.unmatched_usernames))
        return ExportSelection(answer.user_ids, {}, last_ids={None: answer.last_ids})
    query = SelectionQuery(scope, org_slugs=options.org_slugs)
    answers: dict[str, SelectionAnswer] = {
        name: _asked(f"region {name}", partial(client.select_for_export, query))
        for name, client in sources.regions.items()
    }
    regions_of = {
        organization: name
        for name, answer in answers.items()
        for organization in answer.organization_ids
    }
    # Auth providers go with the organizations read: all of them unless regions were left out.
    read = frozenset(regions_of)
    auth = None if sources.every_region and options.org_slugs is None else read
    if options.org_slugs is not None:
        found = {
            fold_case(slug)
            for answer in answers.values()
            for slug in options.org_slugs
            if slug not in answer.unmatched_org_slugs
        }
        missing = sorted(slug for slug in options.org_slugs if fold_case(slug) not in found)
        if missing:
            raise _unknown("organization", missing)
    # Asked after the regions, so every user their members name is at or below its last ids.
    control = _asked(
        "the control silo", partial(sources.control.select_for_export, SelectionQuery(scope))
    )
    last_ids: dict[str | None, Mapping[str, int]] = {None: control.last_ids}
    last_ids.update((name, answer.last_ids) for name, answer in answers.items())
    if scope is ImportScope.GLOBAL:
        return ExportSelection(None, {name: None for name in answers}, auth, regions_of, last_ids)
    members = frozenset(i for answer in answers.values() for i in answer.member_user_ids)
    return ExportSelection(
        members,
        {
            name: (None if options.org_slugs is None else frozenset(answer.organization_ids))
            for name, answer in answers.items()
        },
        auth,
        regions_of,
        last_ids,
    )


def _asked(silo: str, ask: Callable[[], SelectionAnswer]) -> SelectionAnswer:
    try:
        return ask()
    except SiloError as error:
        raise RelocationError(
            Finding(FindingKind.UNKNOWN, f"{silo} did not answer the export's selection: {error}")
        ) from None


def _filter_refused(flag: str, scopes: str) -> RelocationError:
    return RelocationError(
        Finding(FindingKind.VALIDATION_ERROR, f"{flag} applies to {scopes} exports", field=flag)
    )


class FilePks:
    """The pks rows get in the file. Ids of organizations and of control rows are unique across
    the installation and stay; ids of the other region models are unique only within a region,
    so an export of several regions numbers their rows anew and rewrites the keys into them."""

    def __init__(self, renumber: bool) -> None:
        self.renumber = renumber
        self._next: dict[str, int] = {}
        self._given: dict[tuple[str, str], dict[int, int]] = {}
        # Keys from the control silo into a region that several regions' rows could match.
        self.ambiguous = 0

    def local(self, model: str) -> bool:
        """Whether the model's rows are numbered anew."""
        return self.renumber and BY_NAME[model].silo is SiloMode.REGION and model != ORGANIZATION

    def give(self, model: str, region: str, row_id: int) -> int:
        """The row's pk in the file."""
        pk = self._next.get(model, 0) + 1
        self._next[model] = pk
        if model in REFERENCED:
            self._given.setdefault((model, region), {})[row_id] = pk
        return pk

    def key(self, target: str, region: str | None, row_id: int) -> int:
        """The pk in the file of the ``target`` row a key holds. A control row's key into a
        region (a user option's project) names no region: it is looked for in every region,
        and when several hold that id the first is taken and the key counted as ambiguous. One
        not exported keeps its id."""
        if region is not None:
            return self._given.get((target, region), {}).get(row_id, row_id)
        found = [
            given[row_id]
            for (model, _), given in sorted(self._given.items())
            if model == target and row_id in given
        ]
        if len(found) > 1:
            self.ambiguous += 1
        return found[0] if found else row_id


Record = tuple[str, int, dict[str, Any]]


class ExportRun:
    """Reads every model of the scope from its silos, in the file's order."""

    def __init__(
        self,
        options: ExportOptions,
        sources: ExportSources,
        selection: ExportSelection,
        progress: Progress | None = None,
    ) -> None:
        self._options = options
        self._sources = sources
        self._selection = selection
        self._progress = progress
        self._pks = FilePks(renumber=len(selection.organizations) > 1)

    @property
    def ambiguous_keys(self) -> int:
        """How many keys from the control silo into a region several regions' rows matched."""
        return self._pks.ambiguous

    def models(self) -> list[str]:
        """The models the scope covers, in the file's order."""
        covers = self._options.scope.covers
        return [model for model in EXPORT_ORDER if BY_NAME[model].scope in covers]

    def records(self) -> Iterator[Record]:
        """Every record of the export, in the file's order."""
        for model in self.models():
            yield from self._model(model)

    def _pages(self, model: str, region: str | None) -> Iterator[tuple[int, str | None, bytes]]:
        client = self._sources.control if region is None else self._sources.regions[region]
        request = self._selection.request(model, region)
        try:
            for page in client.export_model(request):
                if self._progress is not None:
                    self._progress(model, len(page))
                for row_id, fields in page:
                    yield row_id, region, fields
        except SiloError as error:
            where = "the control silo" if region is None else f"region {region}"
            raise RelocationError(
                Finding(
                    FindingKind.UNKNOWN, f"{where} did not export {model}: {error}", model=model
                )
            ) from None

    def _model(self, model: str) -> Iterator[Record]:
        if BY_NAME[model].silo is SiloMode.CONTROL:
            streams = [self._pages(model, None)]
        else:
            streams = [self._pages(model, name) for name in sorted(self._selection.organizations)]
        local = self._pks.local(model)
        # Rows numbered anew come region after region; rows keeping their ids merge by id.
        rows = (
            (row for stream in streams for row in stream)
            if local
            else heapq.merge(*streams, key=lambda row: row[0])
        )
        keys = BY_NAME[model].foreign_keys
        for row_id, region, raw in rows:
            fields = orjson.loads(raw)
            if self._pks.renumber:
                # A control row naming an organization tells the region of its other keys.
                hint = region or self._selection.regions_of.get(fields.get("organization_id"))
                for name, key in keys.items():
                    value = fields.get(name)
                    if isinstance(value, int) and self._pks.local(key.target):
                        fields[name] = self._pks.key(key.target, hint, value)
            pk = self._pks.give(model, region, row_id) if local and region else row_id
            yield model, pk, fields


class JsonArrayWriter:
    """Writes records as Sentry's export files hold them: one JSON array, ``indent`` spaces per
    level, a record at a time."""

    def __init__(self, out: IO[bytes], indent: int) -> None:
        self._out = out
        self._indent = indent
        self._newline = b"\n" + b" " * indent
        self.count = 0

    def write(self, model: str, pk: int, fields: dict[str, Any]) -> None:
        """Appends one record."""
        record = {"model": model, "pk": pk, "fields": fields}
        if self._indent == 2:
            text = orjson.dumps(record, option=orjson.OPT_INDENT_2)
        else:
            text = json.dumps(record, indent=self._indent).encode()
        self._out.write((b"[" if self.count == 0 else b",") + self._newline)
        self._out.write(text.replace(b"\n", self._newline))
        self.count += 1

    def close(self) -> None:
        """Ends the array."""
        self._out.write(b"\n]\n" if self.count else b"[]\n")


@dataclass
class ExportSummary:
    """Rows written per model, and keys into a region that several regions' rows matched."""

    counts: dict[str, int]
    ambiguous_keys: int = 0


def run_export(
    options: ExportOptions,
    sources: ExportSources,
    out: IO[bytes],
    *,
    indent: int = 2,
    progress: Progress | None = None,
) -> ExportSummary:
    """Writes the export to ``out``. Raises ``RelocationError`` with the finding when the
    selection or a silo fails."""
    selection = select(options, sources)
    run = ExportRun(options, sources, selection, progress)
    writer = JsonArrayWriter(out, indent)
    counts = dict.fromkeys(run.models(), 0)
    for model, pk, fields in run.records():
        writer.write(model, pk, fields)
        counts[model] += 1
    writer.close()
    return ExportSummary(counts, run.ambiguous_keys)
