"""Comparing two exports as Sentry's validation does: per-model counts first, then each pair of
rows with the same ordinal through the model's comparators, then the rest of their fields as
JSON. Both files are streamed model by model; a pair is compared as soon as both rows are read,
so only rows whose partner is still to come are held."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from difflib import unified_diff
from typing import Any

from shared.relocation.compare.comparators import Side
from shared.relocation.compare.findings import ComparatorFinding, Kind
from shared.relocation.compare.ordinals import ModelScan, Opener, Scan, scan
from shared.relocation.compare.rules import rules_for
from shared.relocation.records import Record, read_records


def compare_exports(left: Opener, right: Opener) -> list[ComparatorFinding]:
    """The findings of comparing the export ``left`` opens with the one ``right`` opens (an empty
    list when they are equal). Counts that differ, rows out of order or custom ordinals that
    repeat are reported alone: rows cannot be matched then.

    :raises RelocationError: a file is not an export (not JSON, not records, a damaged tar).
    """
    left_scan, right_scan = scan(left, Side.LEFT), scan(right, Side.RIGHT)
    findings = left_scan.findings + right_scan.findings
    for model in {**left_scan.models, **right_scan.models}:
        counts = [
            side.models[model].count if model in side.models else 0
            for side in (left_scan, right_scan)
        ]
        if counts[0] != counts[1]:
            findings.append(
                ComparatorFinding(
                    Kind.UNEQUAL_COUNTS,
                    model,
                    f"counted {counts[0]} left entries and {counts[1]} right entries",
                )
            )
    if findings:
        return findings
    resolver = _Resolver(left_scan, right_scan)
    with (
        _Groups(left, list(left_scan.models)) as lefts,
        _Groups(right, list(right_scan.models)) as rights,
    ):
        for model, left_model in left_scan.models.items():
            pairs = _pairs(
                lefts.rows(model), rights.rows(model), left_model, right_scan.models[model]
            )
            found = [f for pair in pairs for f in compare_pair(model, *pair, resolver)]
            findings += sorted(found, key=lambda f: f.ordinal or 0)
    return findings


class _Resolver:
    """Where foreign keys point on each side."""

    def __init__(self, left: Scan, right: Scan) -> None:
        self.scans = {Side.LEFT: left, Side.RIGHT: right}

    def ordinal_of(self, side: Side, target: str, value: Any) -> int | None:
        return self.scans[side].ordinal_of(target, value)

    def holds(self, target: str) -> bool:
        return any(target in side.models for side in self.scans.values())


def compare_pair(
    model: str, ordinal: int, left: Record, right: Record, keys: _Resolver
) -> list[ComparatorFinding]:
    """The findings of one matched pair: each comparator's (all compared before any field is set
    aside), then a JSON diff of the fields no comparator covers."""

    def finding(kind: str, reason: str) -> ComparatorFinding:
        return ComparatorFinding(kind, model, reason, ordinal, left.pk, right.pk)

    findings = []
    rules = rules_for(model)
    for comparator in rules.comparators:
        missing = comparator.existence(left.fields, right.fields)
        if missing:
            findings += [finding(comparator.existence_kind, reason) for reason in missing]
            continue
        findings += [
            finding(comparator.kind, reason)
            for reason in comparator.compare(left.fields, right.fields, keys)
        ]
    covered = rules.covered
    rest = [
        {name: value for name, value in record.fields.items() if name not in covered}
        for record in (left, right)
    ]
    if rest[0] != rest[1]:
        before, after = (
            json.dumps(fields, indent=2, sort_keys=True).splitlines() for fields in rest
        )
        diff = unified_diff(before, after, fromfile="left", tofile="right", lineterm="", n=2)
        findings.append(finding(Kind.UNEQUAL_JSON, "\n    " + "\n    ".join(diff)))
    return findings


def _pairs(
    left: Iterator[Record], right: Iterator[Record], left_model: ModelScan, right_model: ModelScan
) -> Iterator[tuple[int, Record, Record]]:
    """The rows of one model matched by ordinal, read alternately from both sides; a row waits
    only until its partner is read."""
    waiting: dict[Side, dict[int, Record]] = {Side.LEFT: {}, Side.RIGHT: {}}
    sources = {Side.LEFT: (left, left_model), Side.RIGHT: (right, right_model)}
    other = {Side.LEFT: Side.RIGHT, Side.RIGHT: Side.LEFT}
    live = [Side.LEFT, Side.RIGHT]
    while live:
        for side in list(live):
            rows, model = sources[side]
            record = next(rows, None)
            if record is None:
                live.remove(side)
                continue
            ordinal = model.ordinal(record.ordinal - 1)
            partner = waiting[other[side]].pop(ordinal, None)
            if partner is None:
                waiting[side][ordinal] = record
            elif side is Side.LEFT:
                yield ordinal, record, partner
            else:
                yield ordinal, partner, record


class _Groups:
    """One file's rows, model by model, in any order: rows of a model later in the file are
    reached by skipping ahead, of an earlier one by reading the file again."""

    def __init__(self, opener: Opener, order: list[str]) -> None:
        self.opener = opener
        self.place = {model: index for index, model in enumerate(order)}
        self.stack = ExitStack()
        self.records: Iterator[Record] | None = None
        self.head: Record | None = None

    def __enter__(self) -> _Groups:
        return self

    def __exit__(self, *_: object) -> None:
        self.stack.close()

    def _reopen(self) -> None:
        self.stack.close()
        self.records = read_records(self.stack.enter_context(self.opener()))
        self.head = next(self.records, None)

    def rows(self, model: str) -> Iterator[Record]:
        """The rows of ``model``, in file order."""
        if (
            self.records is None
            or self.head is None
            or self.place[self.head.model] > self.place[model]
        ):
            self._reopen()
        assert self.records is not None  # noqa: S101 - set by _reopen
        while self.head is not None and self.head.model != model:
            self.head = next(self.records, None)
        while self.head is not None and self.head.model == model:
            yield self.head
            self.head = next(self.records, None)
