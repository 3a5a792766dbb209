"""The provider half of the auth service: lookups by config, SSO setups, SCIM and removal."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import AuthProviderRow
from control_silo.services.rows import to_provider
from control_silo.writes import auth
from control_silo.writes.users import require_user
from shared import validation
from shared.db.unit_of_work import UnitOfWork
from shared.outbox.writer import OutboxWriter
from shared.services.auth.model import AuthProvider, AuthProviderFlag, OrganizationAuthConfig
from shared.services.auth.service import AuthService

MAX_PROVIDER_LENGTH = 128


class AuthProviderMethods(AuthService):
    """The state of ``DatabaseAuthService`` and its provider methods."""

    def __init__(
        self, session_factory: sessionmaker[Session], outbox: OutboxWriter | None = None
    ) -> None:
        self._sessions = session_factory
        self._outbox = outbox

    def get_auth_provider_with_config(
        self, *, provider: str, config_json: str
    ) -> AuthProvider | None:
        config = validation.json_text(config_json or "{}", "config_json", object_only=True)
        with UnitOfWork(self._sessions, read_only=True) as uow:
            row = find_provider(uow.session, provider, config)
            return to_provider(row) if row is not None else None

    def get_org_auth_config(
        self, *, organization_ids: Sequence[int]
    ) -> list[OrganizationAuthConfig]:
        ids = validation.bounded_list(organization_ids, "organization_ids")
        with UnitOfWork(self._sessions, read_only=True) as uow:
            rows = uow.session.scalars(
                select(AuthProviderRow).where(AuthProviderRow.organization_id.in_(set(ids)))
            )
            providers = {row.organization_id: to_provider(row) for row in rows}
        return [
            OrganizationAuthConfig(organization_id=id_, auth_provider=providers.get(id_))
            for id_ in ids
        ]

    def get_org_ids_with_scim(self) -> list[int]:
        with UnitOfWork(self._sessions, read_only=True) as uow:
            rows = uow.session.execute(
                select(AuthProviderRow.organization_id, AuthProviderRow.flags)
            ).all()
        return sorted(
            organization_id
            for organization_id, flags in rows
            if flags & AuthProviderFlag.SCIM_ENABLED
        )

    def update_provider_config(
        self, *, organization_id: int, auth_provider_id: int, config_json: str
    ) -> None:
        config = validation.json_text(config_json or "{}", "config_json", object_only=True)
        with UnitOfWork(self._sessions) as uow:
            auth.organization_provider(
                uow.session, organization_id, auth_provider_id
            ).config = config
            uow.commit()

    def update_provider(
        self, *, organization_id: int, auth_provider_id: int, provider: str
    ) -> None:
        validation.text(provider, "provider", max_length=MAX_PROVIDER_LENGTH)
        with UnitOfWork(self._sessions) as uow:
            auth.organization_provider(
                uow.session, organization_id, auth_provider_id
            ).provider = provider
            uow.commit()

    def disable_provider(self, *, provider_id: int) -> None:
        validation.positive_id(provider_id, "provider_id")
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            if auth.delete_auth_provider(uow, provider_id):
                uow.commit()

    def change_scim(
        self, *, user_id: int, provider_id: int, enabled: bool, allow_unlinked: bool
    ) -> None:
        validation.positive_id(provider_id, "provider_id")
        validation.positive_id(user_id, "user_id")
        with UnitOfWork(self._sessions) as uow:
            require_user(uow.session, user_id)
            row = auth.require_provider(uow.session, provider_id, field="provider_id")
            flags = AuthProviderFlag(row.flags)
            for flag, on in (
                (AuthProviderFlag.SCIM_ENABLED, enabled),
                (AuthProviderFlag.ALLOW_UNLINKED, allow_unlinked),
            ):
                flags = flags | flag if on else flags & ~flag
            row.flags = int(flags)
            uow.commit()


def find_provider(
    session: Session, provider: str, config: dict[str, object]
) -> AuthProviderRow | None:
    """The first provider (by id) named ``provider`` whose config equals ``config``."""
    wanted = json.dumps(config, sort_keys=True)
    for row in session.scalars(
        select(AuthProviderRow)
        .where(AuthProviderRow.provider == provider)
        .order_by(AuthProviderRow.id)
    ):
        if json.dumps(row.config, sort_keys=True) == wanted:
            return row
    return None
