"""The user option service backed by the control database."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import UserOptionRow
from control_silo.services.rows import to_option
from control_silo.writes import options
from control_silo.writes.options import OptionValue
from shared import validation
from shared.db.unit_of_work import UnitOfWork
from shared.services.user_option.model import UserOption
from shared.services.user_option.service import UserOptionService

MAX_KEY_LENGTH = 64


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
        key: str | None = None,
        project_ids: Sequence[int] | None = None,
    ) -> list[UserOption]:
        ids = validation.bounded_list(user_ids, "user_ids", required=True)
        wanted_keys = set(validation.bounded_list(keys, "keys"))
        if key is not None:
            wanted_keys.add(key)
        query = select(UserOptionRow).where(UserOptionRow.user_id.in_(set(ids)))
        if wanted_keys:
            query = query.where(UserOptionRow.key.in_(wanted_keys))
        projects = set(validation.bounded_list(project_ids or (), "project_ids"))
        if project_id is not None:
            projects.add(project_id)
        if project_id is not None or project_ids is not None:
            query = query.where(UserOptionRow.project_id.in_(projects))
        else:
            query = query.where(UserOptionRow.project_id.is_(None))
        if organization_id is not None:
            query = query.where(UserOptionRow.organization_id == organization_id)
        else:
            query = query.where(UserOptionRow.organization_id.is_(None))
        with UnitOfWork(self._sessions, read_only=True) as uow:
            return [to_option(row) for row in uow.session.scalars(query.order_by(UserOptionRow.id))]

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
            row = options.set_option(
                uow, OptionValue(user_id, key, value_json, project_id, organization_id)
            )
            option = to_option(row)
            uow.commit()
        return option

    def delete_options(self, *, option_ids: Sequence[int]) -> int:
        ids = validation.bounded_list(option_ids, "option_ids")
        if not ids:
            return 0
        with UnitOfWork(self._sessions) as uow:
            deleted = options.delete_options(uow, ids)
            uow.commit()
        return deleted
