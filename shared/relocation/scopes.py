"""Sentry's relocation scopes: which models an import or export of a given scope covers."""

from __future__ import annotations

import enum


class RelocationScope(enum.IntEnum):
    """The scope a model belongs to."""

    USER = 1
    ORGANIZATION = 2
    CONFIG = 3
    GLOBAL = 4


class ImportScope(enum.IntEnum):
    """The scope of a whole import or export (``silo import users|organizations|config|global``)."""

    USER = 1
    ORGANIZATION = 2
    CONFIG = 3
    GLOBAL = 4

    @property
    def covers(self) -> frozenset[RelocationScope]:
        """The model scopes this scope includes (Sentry's nesting)."""
        return _COVERS[self]

    @classmethod
    def from_command(cls, word: str) -> ImportScope:
        """The scope named on the command line: users, organizations, config or global."""
        return _BY_WORD[word]


_COVERS = {
    ImportScope.USER: frozenset({RelocationScope.USER}),
    ImportScope.ORGANIZATION: frozenset({RelocationScope.USER, RelocationScope.ORGANIZATION}),
    ImportScope.CONFIG: frozenset({RelocationScope.USER, RelocationScope.CONFIG}),
    ImportScope.GLOBAL: frozenset(RelocationScope),
}
_BY_WORD = {
    "users": ImportScope.USER,
    "organizations": ImportScope.ORGANIZATION,
    "config": ImportScope.CONFIG,
    "global": ImportScope.GLOBAL,
}
COMMAND_SCOPES = tuple(_BY_WORD)
