"""Typed values the auth service takes and returns."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class AuthProviderFlag(enum.IntFlag):
    """Bits of ``AuthProvider.flags``, in Sentry's order."""

    ALLOW_UNLINKED = 1 << 0
    SCIM_ENABLED = 1 << 1


@dataclass(frozen=True)
class AuthProvider:
    """An organization's single sign-on configuration; ``config_json`` is a JSON object."""

    id: int
    organization_id: int
    provider: str
    config_json: str
    date_added: datetime
    default_role: int
    default_global_access: bool
    flags: int


@dataclass(frozen=True)
class AuthIdentity:
    """A user's identity at a provider; ``data_json`` is a JSON object."""

    id: int
    user_id: int
    auth_provider_id: int
    ident: str
    data_json: str
    date_added: datetime
    last_verified: datetime


@dataclass(frozen=True)
class OrganizationAuthConfig:
    """An organization's sign-on setup: its provider, if any, and whether it has API keys
    (Silo has none, so always false)."""

    organization_id: int
    auth_provider: AuthProvider | None
    has_api_key: bool = False
