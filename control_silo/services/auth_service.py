"""The auth service backed by the control database."""

from __future__ import annotations

from sqlalchemy import select

from control_silo.db.models import AuthIdentityRow, AuthProviderRow, UserRow
from control_silo.services.auth_providers import (
    MAX_PROVIDER_LENGTH,
    AuthProviderMethods,
    find_provider,
)
from control_silo.services.rows import to_identity, to_provider
from control_silo.services.user_reads import UserLoader
from control_silo.writes import auth
from control_silo.writes.users import require_user
from shared import validation
from shared.db.unit_of_work import UnitOfWork
from shared.errors import InvalidArgument
from shared.services.auth.model import AuthIdentity, AuthProvider
from shared.services.user.model import User

MAX_IDENT_LENGTH = 128


class DatabaseAuthService(AuthProviderMethods):
    """Reads and writes auth providers and identities in the control database."""

    def create_auth_provider(
        self, *, organization_id: int, provider: str, config_json: str = "{}"
    ) -> AuthProvider:
        validation.positive_id(organization_id, "organization_id")
        validation.text(provider, "provider", max_length=MAX_PROVIDER_LENGTH)
        config = validation.json_text(config_json or "{}", "config_json", object_only=True)
        with UnitOfWork(self._sessions) as uow:
            created = to_provider(auth.create_auth_provider(uow, organization_id, provider, config))
            uow.commit()
        return created

    def get_auth_provider(self, *, organization_id: int) -> AuthProvider | None:
        validation.positive_id(organization_id, "organization_id")
        with UnitOfWork(self._sessions, read_only=True) as uow:
            row = uow.session.scalars(
                select(AuthProviderRow).where(AuthProviderRow.organization_id == organization_id)
            ).first()
            return to_provider(row) if row is not None else None

    def create_auth_identity(
        self,
        *,
        user_id: int,
        ident: str,
        auth_provider_id: int = 0,
        data_json: str = "{}",
        provider: str = "",
        config_json: str = "",
        equiv_email: str = "",
    ) -> AuthIdentity | None:
        validation.positive_id(user_id, "user_id")
        validation.text(ident, "ident", max_length=MAX_IDENT_LENGTH)
        data = validation.json_text(data_json or "{}", "data_json", object_only=True)
        if equiv_email:
            data = {**data, "email": equiv_email}
        if auth_provider_id:
            validation.positive_id(auth_provider_id, "auth_provider_id")
        elif not provider:
            raise InvalidArgument(
                "give auth_provider_id, or provider with config_json", field="auth_provider_id"
            )
        config = validation.json_text(config_json or "{}", "config_json", object_only=True)
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            session = uow.session
            found = (
                session.get(AuthProviderRow, auth_provider_id)
                if auth_provider_id
                else find_provider(session, provider, config)
            )
            if found is None:
                return None
            require_user(session, user_id)
            linked = auth.linked_identity(session, found.id, user_id)
            if linked is not None:
                return to_identity(linked)
            row = auth.create_auth_identity(uow, found.id, user_id, ident, data)
            created = to_identity(row)
            uow.commit()
        return created

    def get_auth_identities(self, *, user_id: int) -> list[AuthIdentity]:
        validation.positive_id(user_id, "user_id")
        with UnitOfWork(self._sessions, read_only=True) as uow:
            rows = uow.session.scalars(
                select(AuthIdentityRow)
                .where(AuthIdentityRow.user_id == user_id)
                .order_by(AuthIdentityRow.id)
            )
            return [to_identity(row) for row in rows]

    def get_user_by_ident(self, *, auth_provider_id: int, ident: str) -> User | None:
        with UnitOfWork(self._sessions, read_only=True) as uow:
            row = uow.session.scalars(
                select(UserRow)
                .join(AuthIdentityRow, AuthIdentityRow.user_id == UserRow.id)
                .where(
                    AuthIdentityRow.auth_provider_id == auth_provider_id,
                    AuthIdentityRow.ident == ident,
                )
            ).first()
            return UserLoader(uow.session.connection()).one(row.id) if row is not None else None

    def delete_auth_identity(self, *, auth_identity_id: int) -> None:
        validation.positive_id(auth_identity_id, "auth_identity_id")
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            auth.delete_auth_identity(uow, auth_identity_id)
            uow.commit()
