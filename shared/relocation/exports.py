"""Reading one model's rows for an export in the silo that owns it: paged by ascending id, each
page a short read of its own, restricted to the export's selection, every field written as
Sentry's export files write it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from shared.relocation.findings import Finding, FindingKind, RelocationError
from shared.relocation.scopes import ImportScope

# Rows read per query, and per message of the stream: far below gRPC's 4 MB per message.
PAGE_SIZE = 2000


@dataclass(frozen=True)
class Selection:
    """The users and organizations an export takes: a set of ids, or None for every one."""

    user_ids: frozenset[int] | None = None
    organization_ids: frozenset[int] | None = None


def as_time(value: datetime | None) -> str | None:
    """A datetime as export files write it: UTC, milliseconds, ``Z``."""
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def as_bitfield(value: int | None) -> str | None:
    """A bitfield as export files write it: its decimal text."""
    return None if value is None else str(value)


def as_python_list(value: Sequence[str] | str | None) -> str:
    """An array field (a list, or JSON text of one) as Sentry writes it: Python's text of the
    list (``"['org:ci']"``)."""
    if value is None:
        return "[]"
    items = json.loads(value) if isinstance(value, str) else value
    return repr([str(item) for item in items])


def as_json_value(value: str | None) -> Any:
    """A value kept as JSON text, written as the JSON it holds (a config object)."""
    return None if value is None else json.loads(value)


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class ExportField:
    """One field of the file: its name there, the column it comes from, how it is written."""

    name: str
    column: InstrumentedAttribute[Any] | ColumnElement[Any]
    write: Callable[[Any], Any] = _same


# Which rows of a model the selection takes: the values the model's owner column may hold (None:
# every row), worked out once per export of the model.
OwnerValues = Callable[[Session, Selection], frozenset[Any] | None]


def of_users(session: Session, selection: Selection) -> frozenset[int] | None:
    """Rows owned by a selected user."""
    return selection.user_ids


def of_organizations(session: Session, selection: Selection) -> frozenset[int] | None:
    """Rows owned by a selected organization."""
    return selection.organization_ids


@dataclass(frozen=True)
class ModelExport:
    """How one model is exported: its table's id column, its fields in the file's order, and the
    column that decides whether the selection takes a row (none: every row is taken)."""

    model: str
    id_column: InstrumentedAttribute[int]
    fields: tuple[ExportField, ...]
    owner: InstrumentedAttribute[Any] | ColumnElement[Any] | None = None
    owner_values: OwnerValues = of_users


@dataclass(frozen=True)
class ExportRequest:
    """One model's export: which model and which users and organizations it takes."""

    model: str
    selection: Selection
    # No row with a higher id (None: no limit); the model's last id when the export selected.
    last_id: int | None = None


@dataclass(frozen=True)
class SelectionQuery:
    """An export's scope and filters (None: no filter), as each silo is asked about them."""

    scope: ImportScope
    usernames: frozenset[str] | None = None
    org_slugs: frozenset[str] | None = None


@dataclass(frozen=True)
class SelectionAnswer:
    """What one silo holds of an export's selection: the users the control silo selects (None:
    every user), the organizations a region selects with their members' users, and the filter
    values it holds nothing of."""

    user_ids: frozenset[int] | None = None
    organization_ids: tuple[int, ...] = ()
    member_user_ids: tuple[int, ...] = ()
    unmatched_usernames: tuple[str, ...] = ()
    unmatched_org_slugs: tuple[str, ...] = ()
    # The highest id of each model the silo exports (0: none), read with the selection.
    last_ids: Mapping[str, int] = field(default_factory=dict)


Selector = Callable[[Session, SelectionQuery], SelectionAnswer]


class SiloExporter:
    """Answers an export's selection and pages through the models one silo exports.

    :param exports: model name -> how it is exported.
    :param selector: what this silo holds of an export's selection.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        exports: Mapping[str, ModelExport],
        selector: Selector,
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._sessions = sessions
        self._exports = dict(exports)
        self._selector = selector
        self._page_size = page_size

    def select(self, query: SelectionQuery) -> SelectionAnswer:
        """What this silo holds of the selection and the last id of each model it exports, read
        in one short transaction."""
        with self._sessions() as session:
            answer = self._selector(session, query)
            last_ids = {
                model: session.scalar(select(func.max(spec.id_column))) or 0
                for model, spec in self._exports.items()
            }
        return replace(answer, last_ids=last_ids)

    def pages(self, request: ExportRequest) -> Iterator[list[tuple[int, bytes]]]:
        """The model's selected rows, a page at a time, each as (id, fields as compact JSON)."""
        spec = self._exports.get(request.model)
        if spec is None:
            raise RelocationError(
                Finding(
                    FindingKind.UNEXPECTED_MODEL,
                    "this silo does not export this model",
                    model=request.model,
                )
            )
        allowed: frozenset[Any] | None = None
        if spec.owner is not None:
            with self._sessions() as session:
                allowed = spec.owner_values(session, request.selection)
        if allowed is not None and not allowed:
            return
        columns = [spec.id_column, *(item.column for item in spec.fields)]
        if spec.owner is not None:
            columns.append(spec.owner)
        names = [item.name for item in spec.fields]
        writers = [item.write for item in spec.fields]
        after = 0
        while True:
            query = (
                select(*columns)
                .where(spec.id_column > after)
                .order_by(spec.id_column)
                .limit(self._page_size)
            )
            if request.last_id is not None:
                query = query.where(spec.id_column <= request.last_id)
            with self._sessions() as session:
                rows = session.execute(query).all()
            if not rows:
                return
            after = rows[-1][0]
            page = [
                (
                    row[0],
                    orjson.dumps(
                        {
                            name: write(value)
                            for name, write, value in zip(names, writers, row[1:], strict=False)
                        }
                    ),
                )
                for row in rows
                if allowed is None or row[-1] in allowed
            ]
            if page:
                yield page
