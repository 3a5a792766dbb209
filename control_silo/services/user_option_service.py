"""The user option service backed by the control database."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import UserOptionRow, UserRow
from shared import validation
from shared.db.unit_of_work import UnitOfWork
from shared.errors import NotFound
from shared.services.user_option.model import UserOption
from shared.services.user_option.service import UserOptionService

MAX_KEY_LENGTH = 64


def _to_option(row: UserOptionRow) -> UserOption:
    return UserOption(
        id=row.id,
        user_id=row.user_id,
        key=row.key,
        value_json=row.value,
        project_id=row.project_id,
        organization_id=row.organization_id,
    )


def _same_scope(project_id: int | None, organization_id: int | None) -> list[ColumnElement[bool]]:
    return [
        UserOptionRow.project_id.is_(None)
        if project_id is None
        else UserOptionRow.project_id == project_id,
        UserOptionRow.organization_id.is_(None)
        if organization_id is None
        else UserOptionRow.organization_id == organization_id,
    ]


class DatabaseUserOptionService(UserOptionService):
    """Reads and writes user options in the control database."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def get_many(
        self,
        *,
        user_ids: Sequence[int],
        keys: Sequence[str] = (),
        project_id: int | None = None,
        organization_id: int | None = None,
    ) -> list[UserOption]:
        ids = validation.bounded_list(user_ids, "user_ids", required=True)
        query = select(UserOptionRow).where(UserOptionRow.user_id.in_(set(ids)))
        if keys:
            query = query.where(UserOptionRow.key.in_(validation.bounded_list(keys, "keys")))
        if project_id is not None:
            query = query.where(UserOptionRow.project_id == project_id)
        if organization_id is not None:
            query = query.where(UserOptionRow.organization_id == organization_id)
        with UnitOfWork(self._sessions, read_only=True) as uow:
            return [
                _to_option(row) for row in uow.session.scalars(query.order_by(UserOptionRow.id))
            ]

    def set_option(
        self,
        *,
        user_id: int,
        key: str,
        value_json: str,
        project_id: int | None = None,
        organization_id: int | None = None,
    ) -> UserOption:
        validation.positive_id(user_id, "user_id")
        validation.text(key, "key", max_length=MAX_KEY_LENGTH)
        validation.json_text(value_json, "value_json")
        with UnitOfWork(self._sessions) as uow:
            if uow.session.get(UserRow, user_id) is None:
                raise NotFound(f"no user has id {user_id}", field="user_id")
            scope = _same_scope(project_id, organization_id)
            find = select(UserOptionRow).where(
                UserOptionRow.user_id == user_id, UserOptionRow.key == key, *scope
            )
            row = uow.session.scalars(find).first()
            if row is None:
                row = UserOptionRow(
                    user_id=user_id,
                    key=key,
                    value=value_json,
                    project_id=project_id,
                    organization_id=organization_id,
                )
                try:
                    with uow.session.begin_nested():
                        uow.session.add(row)
                except IntegrityError:
                    # Created concurrently: update that row instead.
                    row = uow.session.scalars(find).one()
            row.value = value_json
            uow.flush()
            option = _to_option(row)
            uow.commit()
        return option

    def delete_options(self, *, option_ids: Sequence[int]) -> int:
        ids = validation.bounded_list(option_ids, "option_ids")
        if not ids:
            return 0
        with UnitOfWork(self._sessions) as uow:
            deleted = uow.session.execute(
                delete(UserOptionRow)
                .where(UserOptionRow.id.in_(set(ids)))
                .returning(UserOptionRow.id)
            ).all()
            uow.commit()
        return len(deleted)
