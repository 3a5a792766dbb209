"""The first pass over one export: how many rows each model has, and the ordinal of every row,
its place among its model's rows once both files are put in the same order (Sentry's custom
ordinals, such as the username of a user or (user, email) of a useremail; the pk otherwise).
Memory holds one model's sort keys at a time, and eight bytes per row after that."""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, BinaryIO

from shared.relocation.compare.comparators import Side
from shared.relocation.compare.findings import ComparatorFinding, Kind
from shared.relocation.compare.rules import foreign_keys, rules_for
from shared.relocation.models import REFERENCED, USER
from shared.relocation.records import Record, read_records

Opener = Callable[[], AbstractContextManager[BinaryIO]]
SortKey = tuple[tuple[int, Any], ...]


@dataclass
class PkIndex:
    """pk -> ordinal of one model's rows, as two arrays sorted by pk."""

    pks: array[int]
    ordinals: array[int]

    def get(self, pk: int) -> int | None:
        """The ordinal of the row with ``pk``, or None."""
        at = bisect_left(self.pks, pk)
        return self.ordinals[at] if at < len(self.pks) and self.pks[at] == pk else None


@dataclass
class ModelScan:
    """One model's rows in one file: how many, and the ordinal of each by its position."""

    count: int
    by_position: array[int] | None  # None: the ordinal is the position (rows ordered by pk)

    def ordinal(self, position: int) -> int:
        """The ordinal of the row at ``position`` (0-based) among the model's rows in the file."""
        return position + 1 if self.by_position is None else self.by_position[position]


@dataclass
class Scan:
    """What the first pass learnt of one file."""

    side: Side
    models: dict[str, ModelScan] = field(default_factory=dict)  # in the file's order
    pk_index: dict[str, PkIndex] = field(default_factory=dict)
    usernames: dict[str, int] | None = None
    findings: list[ComparatorFinding] = field(default_factory=list)

    def ordinal_of(self, target: str, value: Any) -> int | None:
        """The ordinal of the row of ``target`` that a foreign key ``value`` names: a pk, or for
        users a natural key (``["username"]``, as exports of Sentry 23.7 and older write)."""
        if isinstance(value, list):
            if target == USER and len(value) == 1 and self.usernames is not None:
                return self.usernames.get(str(value[0]))
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        index = self.pk_index.get(target)
        return None if index is None else index.get(value)

    def finding(self, kind: Kind, model: str, reason: str, pk: int | None = None) -> None:
        """Records a finding about this file."""
        left, right = (pk, None) if self.side is Side.LEFT else (None, pk)
        self.findings.append(ComparatorFinding(kind, model, reason, None, left, right))


class _NeedUsernames(Exception):
    """A foreign key names a user by username: the pass must keep usernames."""


def _component(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, (bool, int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, json.dumps(value, sort_keys=True))


class _Group:
    """The rows of one model being scanned."""

    def __init__(self, model: str, scan: Scan) -> None:
        self.model = model
        self.scan = scan
        self.keys = foreign_keys(model)
        self.pks: array[int] = array("q")
        self.by_pk: array[int] = array("q")  # positions of the rows ordered by pk
        self.custom: list[tuple[SortKey, int, int]] = []  # (key, position, pk)
        self.last_pk: int | None = None
        self.ascending = True
        self.count = 0

    def add(self, record: Record) -> None:
        position = self.count
        self.count += 1
        self.pks.append(record.pk)
        fields = rules_for(self.model).ordinal_fields(self.model, record.fields)
        if fields is None:
            if self.last_pk is not None and record.pk <= self.last_pk:
                self.ascending = False
                self.scan.finding(
                    Kind.UNORDERED_INPUT,
                    self.model,
                    f"instances not listed in ascending `pk` order; `pk` {record.pk} is less than "
                    f"or equal to {self.last_pk} which precedes it",
                    record.pk,
                )
            self.last_pk = record.pk
            self.by_pk.append(position)
        else:
            key = tuple(self._part(name, record.fields.get(name)) for name in fields)
            self.custom.append((key, position, record.pk))
        if self.scan.usernames is None:
            for name, target in self.keys.items():
                if target == USER and isinstance(record.fields.get(name), list):
                    raise _NeedUsernames

    def _part(self, name: str, value: Any) -> tuple[int, Any]:
        target = self.keys.get(name)
        if target is None or value is None:
            return _component(value)
        ordinal = self.scan.ordinal_of(target, value)
        return (1, ordinal) if ordinal is not None else (4, json.dumps(value))

    def finish(self) -> None:
        by_position: array[int] | None = None
        if self.custom:
            by_position = array("q", bytes(8 * self.count))
            for ordinal, position in enumerate(self.by_pk, start=1):
                by_position[position] = ordinal
            self._order_custom(by_position)
        self.scan.models[self.model] = ModelScan(self.count, by_position)
        if self.model in REFERENCED:
            self._index(by_position)

    def _order_custom(self, by_position: array[int]) -> None:
        # Rows with equal keys (two users of one username, as a file may hold before an import
        # suffixes one) keep their order in the file, on both sides alike.
        self.custom.sort()
        first = len(self.by_pk) + 1
        for ordinal, (_, position, _) in enumerate(self.custom, start=first):
            by_position[position] = ordinal
        if self.model == USER and self.scan.usernames is not None:
            for ordinal, (key, _, _) in enumerate(self.custom, start=first):
                self.scan.usernames.setdefault(str(key[0][1]), ordinal)
        self.custom = []

    def _index(self, by_position: array[int] | None) -> None:
        if by_position is None and self.ascending:
            # Rows in ascending pk order: the ordinal is the position.
            ordinals = array("q", range(1, self.count + 1))
            self.scan.pk_index[self.model] = PkIndex(self.pks, ordinals)
            return
        pairs = sorted(
            (pk, position + 1 if by_position is None else by_position[position])
            for position, pk in enumerate(self.pks)
        )
        for (pk, _), (following, _) in pairwise(pairs):
            if pk == following:
                self.scan.finding(Kind.UNORDERED_INPUT, self.model, f"`pk` {pk} appears twice", pk)
        self.scan.pk_index[self.model] = PkIndex(
            array("q", (pk for pk, _ in pairs)), array("q", (ordinal for _, ordinal in pairs))
        )


def scan(opener: Opener, side: Side) -> Scan:
    """The first pass over one file (a second one when foreign keys name users by username)."""
    try:
        return _scan(opener, Scan(side))
    except _NeedUsernames:
        return _scan(opener, Scan(side, usernames={}))


def _scan(opener: Opener, result: Scan) -> Scan:
    group: _Group | None = None
    with opener() as stream:
        for record in read_records(stream):
            if group is None or record.model != group.model:
                if group is not None:
                    group.finish()
                if record.model in result.models:
                    result.finding(
                        Kind.UNORDERED_INPUT,
                        record.model,
                        "the rows of this model are not listed together",
                        record.pk,
                    )
                    return result
                group = _Group(record.model, result)
            group.add(record)
    if group is not None:
        group.finish()
    return result
