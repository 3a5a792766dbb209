"""Typed values the user option service takes and returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UserOption:
    """One setting of a user, optionally scoped to a project or an organization.

    ``value_json`` is JSON text, kept as written so every client reads back the same value.
    """

    id: int
    user_id: int
    key: str
    value_json: str
    project_id: int | None = None
    organization_id: int | None = None
