"""Auth providers of organizations and the identities they vouch for."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import AuthIdentityRow, AuthProviderRow
from control_silo.outbox.messages import user_changed
from control_silo.writes.users import require_user
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists, NotFound
from shared.outbox.categories import OutboxCategory


def create_auth_provider(
    uow: UnitOfWork, organization_id: int, provider: str, config: dict[str, object]
) -> AuthProviderRow:
    """Inserts the organization's auth provider.

    :raises AlreadyExists: the organization has one (field ``organization_id``).
    """
    row = AuthProviderRow(organization_id=organization_id, provider=provider, config=config)
    uow.session.add(row)
    try:
        uow.flush()
    except IntegrityError:
        raise AlreadyExists(
            f"organization {organization_id} already has an auth provider",
            field="organization_id",
        ) from None
    return row


def require_provider(
    session: Session, provider_id: int, field: str = "auth_provider_id"
) -> AuthProviderRow:
    """The provider with that id.

    :raises NotFound: none has it (naming ``field``).
    """
    row = session.get(AuthProviderRow, provider_id)
    if row is None:
        raise NotFound(f"no auth provider has id {provider_id}", field=field)
    return row


def organization_provider(
    session: Session, organization_id: int, provider_id: int
) -> AuthProviderRow:
    """The organization's provider with that id.

    :raises NotFound: the organization has none with that id (field ``auth_provider_id``).
    """
    row = session.get(AuthProviderRow, provider_id)
    if row is None or row.organization_id != organization_id:
        raise NotFound(
            f"organization {organization_id} has no auth provider {provider_id}",
            field="auth_provider_id",
        )
    return row


def delete_auth_provider(uow: UnitOfWork, provider_id: int) -> bool:
    """Deletes the provider and its identities, telling their users' regions; False when there
    is no such provider."""
    session = uow.session
    row = session.get(AuthProviderRow, provider_id)
    if row is None:
        return False
    identities = session.scalars(
        select(AuthIdentityRow).where(AuthIdentityRow.auth_provider_id == provider_id)
    ).all()
    for identity in identities:
        session.delete(identity)
        user_changed(uow, identity.user_id, OutboxCategory.AUTH_IDENTITY_UPDATE)
    session.flush()
    session.delete(row)
    session.flush()
    return True


def linked_identity(session: Session, provider_id: int, user_id: int) -> AuthIdentityRow | None:
    """The identity by which the provider knows the user, if any."""
    return session.scalars(
        select(AuthIdentityRow).where(
            AuthIdentityRow.auth_provider_id == provider_id, AuthIdentityRow.user_id == user_id
        )
    ).first()


def create_auth_identity(
    uow: UnitOfWork, auth_provider_id: int, user_id: int, ident: str, data: dict[str, object]
) -> AuthIdentityRow:
    """Links the user to ``ident`` at the provider, and tells the user's regions.

    :raises NotFound: no such provider (field ``auth_provider_id``) or user (field ``user_id``).
    :raises AlreadyExists: the provider knows the ident (field ``ident``) or the user (field
        ``user_id``) already.
    """
    session = uow.session
    require_provider(session, auth_provider_id)
    require_user(session, user_id)
    _check_unlinked(session, auth_provider_id, user_id, ident)
    row = AuthIdentityRow(
        auth_provider_id=auth_provider_id, user_id=user_id, ident=ident, data=data
    )
    session.add(row)
    try:
        uow.flush()
    except IntegrityError:
        raise AlreadyExists(
            f"auth provider {auth_provider_id} already links ident {ident!r} or user {user_id}",
            field="ident",
        ) from None
    user_changed(uow, user_id, OutboxCategory.AUTH_IDENTITY_UPDATE)
    return row


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


def delete_auth_identity(uow: UnitOfWork, auth_identity_id: int) -> None:
    """Deletes the identity and tells its user's regions.

    :raises NotFound: no identity has that id (field ``auth_identity_id``).
    """
    row = uow.session.get(AuthIdentityRow, auth_identity_id)
    if row is None:
        raise NotFound(f"no auth identity has id {auth_identity_id}", field="auth_identity_id")
    uow.session.delete(row)
    user_changed(uow, row.user_id, OutboxCategory.AUTH_IDENTITY_UPDATE)
