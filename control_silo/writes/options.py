"""User options: set (insert or overwrite within their scope) and deleted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, insert, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import UserOptionRow
from control_silo.writes.users import require_users
from shared.db.bulk import batches
from shared.db.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class OptionValue:
    """One option to set; ``value_json`` is JSON text, stored as given."""

    user_id: int
    key: str
    value_json: str
    project_id: int | None = None
    organization_id: int | None = None

    @property
    def scope(self) -> tuple[int, int, int, str]:
        """What makes an option unique (the unique index compares missing scopes as 0)."""
        return (self.user_id, self.project_id or 0, self.organization_id or 0, self.key)


def set_options(uow: UnitOfWork, options: Sequence[OptionValue]) -> list[UserOptionRow]:
    """Inserts each option, or overwrites the value of the user's option with the same key and
    scope; returns the rows in the order given (a repeated option gives its last value).

    :raises NotFound: a user does not exist (field ``user_id``).
    """
    if not options:
        return []
    session = uow.session
    require_users(session, [option.user_id for option in options])
    latest = {option.scope: option for option in options}
    rows = _existing(session, list(latest))
    for scope, option in latest.items():
        if scope in rows:
            rows[scope].value = option.value_json
    missing = [option for scope, option in latest.items() if scope not in rows]
    try:
        with session.begin_nested():
            for batch in batches(missing):
                for row in session.scalars(
                    insert(UserOptionRow).returning(UserOptionRow), [_columns(o) for o in batch]
                ):
                    rows[_scope_of(row)] = row
    except IntegrityError:
        # Created concurrently: overwrite those rows instead, one at a time.
        for option in missing:
            rows[option.scope] = _set_one(session, option)
    uow.flush()
    return [rows[option.scope] for option in options]


def set_option(uow: UnitOfWork, option: OptionValue) -> UserOptionRow:
    """The single form of ``set_options``."""
    return set_options(uow, [option])[0]


def delete_options(uow: UnitOfWork, option_ids: Sequence[int]) -> int:
    """Deletes the options with these ids and returns how many there were."""
    deleted = 0
    for batch in batches(sorted(set(option_ids))):
        deleted += len(
            uow.session.execute(
                delete(UserOptionRow).where(UserOptionRow.id.in_(batch)).returning(UserOptionRow.id)
            ).all()
        )
    return deleted


def _scope_of(row: UserOptionRow) -> tuple[int, int, int, str]:
    return (row.user_id, row.project_id or 0, row.organization_id or 0, row.key)


def _columns(option: OptionValue) -> dict[str, object]:
    return {
        "user_id": option.user_id,
        "key": option.key,
        "value": option.value_json,
        "project_id": option.project_id,
        "organization_id": option.organization_id,
    }


def _existing(
    session: Session, scopes: Sequence[tuple[int, int, int, str]]
) -> dict[tuple[int, int, int, str], UserOptionRow]:
    found: dict[tuple[int, int, int, str], UserOptionRow] = {}
    for batch in batches(scopes):
        query = select(UserOptionRow).where(
            tuple_(
                UserOptionRow.user_id,
                func.coalesce(UserOptionRow.project_id, 0),
                func.coalesce(UserOptionRow.organization_id, 0),
                UserOptionRow.key,
            ).in_(batch)
        )
        for row in session.scalars(query.order_by(UserOptionRow.id)):
            found.setdefault(_scope_of(row), row)
    return found


def _same_scope(option: OptionValue) -> list[ColumnElement[bool]]:
    return [
        UserOptionRow.user_id == option.user_id,
        UserOptionRow.key == option.key,
        UserOptionRow.project_id.is_(None)
        if option.project_id is None
        else UserOptionRow.project_id == option.project_id,
        UserOptionRow.organization_id.is_(None)
        if option.organization_id is None
        else UserOptionRow.organization_id == option.organization_id,
    ]


def _set_one(session: Session, option: OptionValue) -> UserOptionRow:
    find = select(UserOptionRow).where(*_same_scope(option))
    row = session.scalars(find).first()
    if row is None:
        row = UserOptionRow(**_columns(option))
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            row = session.scalars(find).one()
    row.value = option.value_json
    return row
