"""Domain values of control rows: the ``shared.services.*.model`` dataclasses returned."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from control_silo.db.models import (
    AuthIdentityRow,
    AuthProviderRow,
    OrganizationMappingRow,
    UserOptionRow,
)
from control_silo.passwords import is_usable
from shared.services.auth.model import AuthIdentity, AuthProvider
from shared.services.organization_mapping.model import OrganizationMapping
from shared.services.user.model import AvatarType, OrganizationSummary, User, UserEmail
from shared.services.user_option.model import UserOption


def to_user(
    row: Any,
    useremails: Sequence[UserEmail],
    permissions: Iterable[str],
    roles: Iterable[str],
    email: str | None = None,
) -> User:
    """The domain user for a ``user`` table row; ``email`` overrides the primary address."""
    return User(
        id=row.id,
        username=row.username,
        email=row.email if email is None else email,
        name=row.first_name,
        is_active=row.is_active,
        is_staff=row.is_staff,
        is_superuser=row.is_superuser,
        is_managed=row.is_managed,
        is_unclaimed=row.is_unclaimed,
        is_password_expired=row.is_password_expired,
        password_usable=is_usable(row.password),
        date_joined=row.date_joined,
        last_login=row.last_login,
        last_active=row.last_active,
        flags=row.flags,
        avatar_type=AvatarType(row.avatar_type),
        avatar_url=row.avatar_url,
        emails=frozenset(e.email for e in useremails if e.is_verified),
        useremails=tuple(useremails),
        permissions=frozenset(permissions),
        roles=frozenset(roles),
    )


def to_option(row: UserOptionRow) -> UserOption:
    """The domain option of a row."""
    return UserOption(
        id=row.id,
        user_id=row.user_id,
        key=row.key,
        value_json=row.value,
        project_id=row.project_id,
        organization_id=row.organization_id,
    )


def to_provider(row: AuthProviderRow) -> AuthProvider:
    """The domain auth provider of a row."""
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


def to_identity(row: AuthIdentityRow) -> AuthIdentity:
    """The domain auth identity of a row."""
    return AuthIdentity(
        id=row.id,
        user_id=row.user_id,
        auth_provider_id=row.auth_provider_id,
        ident=row.ident,
        data_json=json.dumps(row.data, sort_keys=True),
        date_added=row.date_added,
        last_verified=row.last_verified,
    )


def to_mapping(row: OrganizationMappingRow) -> OrganizationMapping:
    """The domain mapping of a row."""
    return OrganizationMapping(
        organization_id=row.organization_id,
        slug=row.slug,
        name=row.name,
        region_name=row.region_name,
        status=row.status,
        verified=row.verified,
        date_created=row.date_created,
    )


def to_summary(row: OrganizationMappingRow) -> OrganizationSummary:
    """The summary of a mapping that the user service returns."""
    return OrganizationSummary(
        organization_id=row.organization_id,
        slug=row.slug,
        name=row.name,
        region_name=row.region_name,
        status=row.status,
    )
