"""The auth service backed by the control database."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import AuthIdentityRow, AuthProviderRow, UserRow
from control_silo.outbox.messages import user_changed
from control_silo.services.user_reads import UserLoader
from shared import validation
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists, NotFound
from shared.outbox.categories import OutboxCategory
from shared.outbox.writer import OutboxWriter
from shared.services.auth.model import AuthIdentity, AuthProvider
from shared.services.auth.service import AuthService
from shared.services.user.model import User

MAX_PROVIDER_LENGTH = 128
MAX_IDENT_LENGTH = 128


def _to_provider(row: AuthProviderRow) -> AuthProvider:
    return AuthProvider(
        id=row.id,
        organization_id=row.organization_id,
        provider=row.provider,
        config_json=json.dumps(row.config, sort_keys=True),
        date_added=row.date_added,
        default_role=row.default_role,
        default_global_access=row.default_global_access,
        flags=row.flags,
    )


def _to_identity(row: AuthIdentityRow) -> AuthIdentity:
    return AuthIdentity(
        id=row.id,
        user_id=row.user_id,
        auth_provider_id=row.auth_provider_id,
        ident=row.ident,
        data_json=json.dumps(row.data, sort_keys=True),
        date_added=row.date_added,
        last_verified=row.last_verified,
    )


class DatabaseAuthService(AuthService):
    """Reads and writes auth providers and identities in the control database."""

    def __init__(
        self, session_factory: sessionmaker[Session], outbox: OutboxWriter | None = None
    ) -> None:
        self._sessions = session_factory
        self._outbox = outbox

    def create_auth_provider(
        self, *, organization_id: int, provider: str, config_json: str = "{}"
    ) -> AuthProvider:
        validation.positive_id(organization_id, "organization_id")
        validation.text(provider, "provider", max_length=MAX_PROVIDER_LENGTH)
        config = validation.json_text(config_json or "{}", "config_json", object_only=True)
        with UnitOfWork(self._sessions) as uow:
            row = AuthProviderRow(organization_id=organization_id, provider=provider, config=config)
            uow.session.add(row)
            try:
                uow.flush()
            except IntegrityError:
                raise AlreadyExists(
                    f"organization {organization_id} already has an auth provider",
                    field="organization_id",
                ) from None
            created = _to_provider(row)
            uow.commit()
        return created

    def get_auth_provider(self, *, organization_id: int) -> AuthProvider | None:
        validation.positive_id(organization_id, "organization_id")
        with UnitOfWork(self._sessions, read_only=True) as uow:
            row = uow.session.scalars(
                select(AuthProviderRow).where(AuthProviderRow.organization_id == organization_id)
            ).first()
            return _to_provider(row) if row is not None else None

    def create_auth_identity(
        self, *, auth_provider_id: int, user_id: int, ident: str, data_json: str = "{}"
    ) -> AuthIdentity:
        validation.positive_id(auth_provider_id, "auth_provider_id")
        validation.positive_id(user_id, "user_id")
        validation.text(ident, "ident", max_length=MAX_IDENT_LENGTH)
        data = validation.json_text(data_json or "{}", "data_json", object_only=True)
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            session = uow.session
            if session.get(AuthProviderRow, auth_provider_id) is None:
                raise NotFound(
                    f"no auth provider has id {auth_provider_id}", field="auth_provider_id"
                )
            if session.get(UserRow, user_id) is None:
                raise NotFound(f"no user has id {user_id}", field="user_id")
            self._check_unlinked(session, auth_provider_id, user_id, ident)
            row = AuthIdentityRow(
                auth_provider_id=auth_provider_id, user_id=user_id, ident=ident, data=data
            )
            session.add(row)
            try:
                uow.flush()
            except IntegrityError:
                raise AlreadyExists(
                    f"auth provider {auth_provider_id} already links ident {ident!r} or user "
                    f"{user_id}",
                    field="ident",
                ) from None
            created = _to_identity(row)
            user_changed(uow, user_id, OutboxCategory.AUTH_IDENTITY_UPDATE)
            uow.commit()
        return created

    @staticmethod
    def _check_unlinked(session: Session, provider_id: int, user_id: int, ident: str) -> None:
        same_provider = select(AuthIdentityRow.id).where(
            AuthIdentityRow.auth_provider_id == provider_id
        )
        if session.scalar(same_provider.where(AuthIdentityRow.ident == ident)) is not None:
            raise AlreadyExists(
                f"auth provider {provider_id} already has ident {ident!r}", field="ident"
            )
        if session.scalar(same_provider.where(AuthIdentityRow.user_id == user_id)) is not None:
            raise AlreadyExists(
                f"auth provider {provider_id} already links user {user_id}", field="user_id"
            )

    def get_auth_identities(self, *, user_id: int) -> list[AuthIdentity]:
        validation.positive_id(user_id, "user_id")
        with UnitOfWork(self._sessions, read_only=True) as uow:
            rows = uow.session.scalars(
                select(AuthIdentityRow)
                .where(AuthIdentityRow.user_id == user_id)
                .order_by(AuthIdentityRow.id)
            )
            return [_to_identity(row) for row in rows]

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
            row = uow.session.get(AuthIdentityRow, auth_identity_id)
            if row is None:
                raise NotFound(
                    f"no auth identity has id {auth_identity_id}", field="auth_identity_id"
                )
            uow.session.delete(row)
            user_changed(uow, row.user_id, OutboxCategory.AUTH_IDENTITY_UPDATE)
            uow.commit()
