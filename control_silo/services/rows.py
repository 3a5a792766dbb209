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
from shared.db.rows import from_row
from shared.services.auth.model import AuthIdentity, AuthProvider
from shared.services.organization_mapping.model import OrganizationMapping
from shared.services.user.model import OrganizationSummary, User, UserEmail
from shared.services.user_option.model import UserOption


def to_user(
    row: Any,
    useremails: Sequence[UserEmail],
    permissions: Iterable[str],
    roles: Iterable[str],
    email: str | None = None,
) -> User:
    """The domain user for a ``user`` table row; ``email`` overrides the primary address."""
    return from_row(
        User,
        row,
        email=row.email if email is None else email,
        name=row.first_name,
        password_usable=is_usable(row.password),
        emails=frozenset(e.email for e in useremails if e.is_verified),
        useremails=tuple(useremails),
        permissions=frozenset(permissions),
        roles=frozenset(roles),
    )


def to_option(row: UserOptionRow) -> UserOption:
    """The domain option of a row."""
    return from_row(UserOption, row, value_json=row.value)


def to_provider(row: AuthProviderRow) -> AuthProvider:
    """The domain auth provider of a row."""
    return from_row(AuthProvider, row, config_json=json.dumps(row.config, sort_keys=True))


def to_identity(row: AuthIdentityRow) -> AuthIdentity:
    """The domain auth identity of a row."""
    return from_row(AuthIdentity, row, data_json=json.dumps(row.data, sort_keys=True))


def to_mapping(row: OrganizationMappingRow) -> OrganizationMapping:
    """The domain mapping of a row."""
    return from_row(OrganizationMapping, row)


def to_summary(row: OrganizationMappingRow) -> OrganizationSummary:
    """The summary of a mapping that the user service returns."""
    return from_row(OrganizationSummary, row)
