"""Outbox scopes and categories. Numbers are stored in outbox rows: never reuse or renumber one."""

from __future__ import annotations

import enum


class OutboxScope(enum.IntEnum):
    """What an outbox shard is keyed by; rows of one shard are delivered in order."""

    ORGANIZATION_SCOPE = 0
    USER_SCOPE = 1


class OutboxCategory(enum.IntEnum):
    """What changed. Each category belongs to exactly one scope (checked at import)."""

    USER_UPDATE = 0
    ORGANIZATION_UPDATE = 1
    ORGANIZATION_MEMBER_UPDATE = 2
    AUTH_IDENTITY_UPDATE = 3
    ORGANIZATION_SLUG_RESERVATION_UPDATE = 4


# Numbers of removed categories, never to be given to a new one (checked at import).
RETIRED_CATEGORY_NUMBERS: dict[int, str] = {
    5: "PROVISION_ORGANIZATION (declared but never written)",
}


CATEGORIES_BY_SCOPE: dict[OutboxScope, frozenset[OutboxCategory]] = {
    OutboxScope.ORGANIZATION_SCOPE: frozenset(
        {
            OutboxCategory.ORGANIZATION_UPDATE,
            OutboxCategory.ORGANIZATION_MEMBER_UPDATE,
            OutboxCategory.ORGANIZATION_SLUG_RESERVATION_UPDATE,
        }
    ),
    OutboxScope.USER_SCOPE: frozenset(
        {OutboxCategory.USER_UPDATE, OutboxCategory.AUTH_IDENTITY_UPDATE}
    ),
}


def scope_of(category: OutboxCategory) -> OutboxScope:
    """The one scope a category belongs to."""
    for scope, categories in CATEGORIES_BY_SCOPE.items():
        if category in categories:
            return scope
    raise LookupError(f"{category.name} belongs to no outbox scope")


def _check_every_category_has_one_scope() -> None:
    for category in OutboxCategory:
        owners = [scope for scope, members in CATEGORIES_BY_SCOPE.items() if category in members]
        if len(owners) != 1:
            raise RuntimeError(f"{category.name} must belong to exactly one scope, not {owners}")


def _check_no_category_reuses_a_retired_number() -> None:
    for category in OutboxCategory:
        if category.value in RETIRED_CATEGORY_NUMBERS:
            retired = RETIRED_CATEGORY_NUMBERS[category.value]
            raise RuntimeError(f"{category.name} reuses {category.value}, retired from {retired}")


_check_every_category_has_one_scope()
_check_no_category_reuses_a_retired_number()
