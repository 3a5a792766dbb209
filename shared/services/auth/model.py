"""Typed values the auth service takes and returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
