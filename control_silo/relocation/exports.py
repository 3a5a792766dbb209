"""What the control silo exports: the user models, each field as Sentry's export files write it,
and which users an export's scope and filters select."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from control_silo.db.models import (
    AuthenticatorRow,
    AuthIdentityRow,
    AuthProviderRow,
    EmailRow,
    UserEmailRow,
    UserIPRow,
    UserOptionRow,
    UserPermissionRow,
    UserRoleRow,
    UserRoleUserRow,
    UserRow,
)
from control_silo.relocation.users import users_by_username
from shared.db.bulk import batches
from shared.folding import fold_case
from shared.relocation.exports import (
    ExportField,
    ModelExport,
    Selection,
    SelectionAnswer,
    SelectionQuery,
    as_bitfield,
    as_python_list,
    as_time,
    of_organizations,
)
from shared.relocation.scopes import ImportScope

F = ExportField


def _emails_of_users(session: Session, selection: Selection) -> frozenset[str] | None:
    """The addresses (lower-cased) the selected users hold: the ``sentry.email`` rows they take."""
    if selection.user_ids is None:
        return None
    found: set[str] = set()
    for batch in batches(sorted(selection.user_ids)):
        query = select(func.lower(UserEmailRow.email)).where(UserEmailRow.user_id.in_(batch))
        found.update(session.scalars(query))
    return frozenset(found)


_EXPORTS: tuple[ModelExport, ...] = (
    ModelExport(
        "sentry.user",
        UserRow.id,
        (
            F("password", UserRow.password),
            F("last_login", UserRow.last_login, as_time),
            F("username", UserRow.username),
            F("name", UserRow.name),
            F("email", UserRow.email),
            F("is_staff", UserRow.is_staff),
            F("is_active", UserRow.is_active),
            F("is_superuser", UserRow.is_superuser),
            F("is_managed", UserRow.is_managed),
            F("is_sentry_app", UserRow.is_sentry_app),
            F("is_password_expired", UserRow.is_password_expired),
            F("is_unclaimed", UserRow.is_unclaimed),
            F("last_password_change", UserRow.last_password_change, as_time),
            F("flags", UserRow.flags, as_bitfield),
            F("session_nonce", UserRow.session_nonce),
            F("date_joined", UserRow.date_joined, as_time),
            F("last_active", UserRow.last_active, as_time),
            F("avatar_type", UserRow.avatar_type),
            F("avatar_url", UserRow.avatar_url),
        ),
        owner=UserRow.id,
    ),
    ModelExport(
        "sentry.email",
        EmailRow.id,
        (F("email", EmailRow.email), F("date_added", EmailRow.date_added, as_time)),
        owner=func.lower(EmailRow.email),
        owner_values=_emails_of_users,
    ),
    ModelExport(
        "sentry.useremail",
        UserEmailRow.id,
        (
            F("user", UserEmailRow.user_id),
            F("email", UserEmailRow.email),
            F("validation_hash", UserEmailRow.validation_hash),
            F("date_hash_added", UserEmailRow.date_hash_added, as_time),
            F("is_verified", UserEmailRow.is_verified),
        ),
        owner=UserEmailRow.user_id,
    ),
    ModelExport(
        "sentry.useroption",
        UserOptionRow.id,
        (
            F("user", UserOptionRow.user_id),
            F("project_id", UserOptionRow.project_id),
            F("organization_id", UserOptionRow.organization_id),
            F("key", UserOptionRow.key),
            # User option values are written as JSON text in a string ("\"Europe/Vienna\"").
            F("value", UserOptionRow.value),
        ),
        owner=UserOptionRow.user_id,
    ),
    ModelExport(
        "sentry.userpermission",
        UserPermissionRow.id,
        (F("user", UserPermissionRow.user_id), F("permission", UserPermissionRow.permission)),
        owner=UserPermissionRow.user_id,
    ),
    ModelExport(
        "sentry.userrole",
        UserRoleRow.id,
        (
            F("date_updated", UserRoleRow.date_updated, as_time),
            F("date_added", UserRoleRow.date_added, as_time),
            F("name", UserRoleRow.name),
            F("permissions", UserRoleRow.permissions, as_python_list),
        ),
    ),
    ModelExport(
        "sentry.userroleuser",
        UserRoleUserRow.id,
        (
            F("date_updated", UserRoleUserRow.date_updated, as_time),
            F("date_added", UserRoleUserRow.date_added, as_time),
            F("user", UserRoleUserRow.user_id),
            F("role", UserRoleUserRow.role_id),
        ),
        owner=UserRoleUserRow.user_id,
    ),
    ModelExport(
        "sentry.authprovider",
        AuthProviderRow.id,
        (
            F("organization_id", AuthProviderRow.organization_id),
            F("provider", AuthProviderRow.provider),
            F("config", AuthProviderRow.config),
            F("date_added", AuthProviderRow.date_added, as_time),
            F("sync_time", AuthProviderRow.sync_time),
            F("last_sync", AuthProviderRow.last_sync, as_time),
            F("default_role", AuthProviderRow.default_role),
            F("default_global_access", AuthProviderRow.default_global_access),
            F("flags", AuthProviderRow.flags, as_bitfield),
        ),
        owner=AuthProviderRow.organization_id,
        owner_values=of_organizations,
    ),
    ModelExport(
        "sentry.authidentity",
        AuthIdentityRow.id,
        (
            F("user", AuthIdentityRow.user_id),
            F("auth_provider", AuthIdentityRow.auth_provider_id),
            F("ident", AuthIdentityRow.ident),
            F("data", AuthIdentityRow.data),
            F("last_verified", AuthIdentityRow.last_verified, as_time),
            F("last_synced", AuthIdentityRow.last_synced, as_time),
            F("date_added", AuthIdentityRow.date_added, as_time),
        ),
        owner=AuthIdentityRow.user_id,
    ),
    ModelExport(
        "sentry.authenticator",
        AuthenticatorRow.id,
        (
            F("user", AuthenticatorRow.user_id),
            F("created_at", AuthenticatorRow.created_at, as_time),
            F("last_used_at", AuthenticatorRow.last_used_at, as_time),
            F("type", AuthenticatorRow.type),
            # Kept verbatim: the opaque text the file held.
            F("config", AuthenticatorRow.config),
        ),
        owner=AuthenticatorRow.user_id,
    ),
    ModelExport(
        "sentry.userip",
        UserIPRow.id,
        (
            F("user", UserIPRow.user_id),
            F("ip_address", UserIPRow.ip_address),
            F("country_code", UserIPRow.country_code),
            F("region_code", UserIPRow.region_code),
            F("first_seen", UserIPRow.first_seen, as_time),
            F("last_seen", UserIPRow.last_seen, as_time),
        ),
        owner=UserIPRow.user_id,
    ),
)


def control_exports() -> Mapping[str, ModelExport]:
    """The control silo's exports, by model name."""
    return {spec.model: spec for spec in _EXPORTS}


def select_users(
    session: Session, scope: ImportScope, usernames: frozenset[str] | None
) -> tuple[frozenset[int] | None, list[str]]:
    """The users an export of ``scope`` takes (None: every user) and the filter's usernames no
    user holds. A config export takes the users with a global privilege: staff, superuser, a
    permission or a role."""
    wanted: set[int] | None = None
    unmatched: list[str] = []
    if usernames is not None:
        found = users_by_username(session, usernames)
        unmatched = sorted(name for name in usernames if fold_case(name) not in found)
        wanted = set(found.values())
    if scope is ImportScope.CONFIG:
        privileged = select(UserRow.id).where(
            or_(
                UserRow.is_staff,
                UserRow.is_superuser,
                exists().where(UserPermissionRow.user_id == UserRow.id),
                exists().where(UserRoleUserRow.user_id == UserRow.id),
            )
        )
        ids = set(session.scalars(privileged))
        wanted = ids if wanted is None else wanted & ids
    return (None if wanted is None else frozenset(wanted)), unmatched


def select_for_export(session: Session, query: SelectionQuery) -> SelectionAnswer:
    """The control silo's part of an export's selection: its users."""
    user_ids, unmatched = select_users(session, query.scope, query.usernames)
    return SelectionAnswer(user_ids=user_ids, unmatched_usernames=tuple(unmatched))
