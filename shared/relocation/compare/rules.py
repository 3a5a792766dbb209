"""How each relocated model is compared: which fields order its rows (Sentry's custom ordinals;
the pk otherwise) and which comparators check its fields. Foreign keys come from the model list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from shared.relocation.compare.comparators import (
    AutoSuffixComparator,
    Comparator,
    DatetimeEqualityComparator,
    DateUpdatedComparator,
    EmailObfuscatingComparator,
    ForeignKeyComparator,
    HashObfuscatingComparator,
    IgnoredComparator,
    UserPasswordObfuscatingComparator,
)
from shared.relocation.models import BY_NAME, OnMissing


@dataclass(frozen=True)
class ModelRules:
    """The ordinal fields of a model (None: rows are ordered by pk) and its comparators."""

    ordinal: tuple[str, ...] | None = None
    comparators: tuple[Comparator, ...] = ()

    @cached_property
    def covered(self) -> frozenset[str]:
        """The fields some comparator checks (left out of the plain JSON comparison)."""
        return frozenset(name for comparator in self.comparators for name in comparator.fields)

    def ordinal_fields(self, model: str, fields: Mapping[str, Any]) -> tuple[str, ...] | None:
        """The fields that order this row among its model's rows, or None to order it by pk.
        Options of a user alone (no organization, no project) are ordered by (user, key), the
        others by pk, as Sentry does."""
        if model == "sentry.useroption":
            scoped = (
                fields.get("organization_id") is not None or fields.get("project_id") is not None
            )
            return None if scoped else ("user", "key")
        return self.ordinal


def _rules(ordinal: tuple[str, ...] | None, *comparators: Comparator) -> ModelRules:
    return ModelRules(ordinal, comparators)


_DATES = DatetimeEqualityComparator
_BY_MODEL: dict[str, ModelRules] = {
    "sentry.user": _rules(
        ("username",),
        AutoSuffixComparator("username"),
        DateUpdatedComparator("last_active"),
        # The password comparator checks these three itself.
        IgnoredComparator("last_password_change", "is_unclaimed", "is_password_expired"),
        UserPasswordObfuscatingComparator(),
        _DATES("date_joined", "last_login"),
        EmailObfuscatingComparator("email"),
    ),
    "sentry.email": _rules(
        ("email",), DateUpdatedComparator("date_added"), EmailObfuscatingComparator("email")
    ),
    "sentry.useremail": _rules(
        ("user", "email"),
        DateUpdatedComparator("date_hash_added"),
        IgnoredComparator("validation_hash", "is_verified"),
        EmailObfuscatingComparator("email"),
    ),
    "sentry.useroption": _rules(None),
    "sentry.userpermission": _rules(("user", "permission")),
    "sentry.userrole": _rules(
        ("name",), DateUpdatedComparator("date_updated"), _DATES("date_added")
    ),
    "sentry.userroleuser": _rules(
        None, DateUpdatedComparator("date_updated"), _DATES("date_added")
    ),
    "sentry.authprovider": _rules(None, _DATES("date_added", "last_sync")),
    "sentry.authidentity": _rules(
        None,
        HashObfuscatingComparator("ident", "token"),
        _DATES("last_verified", "last_synced", "date_added"),
    ),
    "sentry.authenticator": _rules(None, _DATES("created_at", "last_used_at")),
    "sentry.userip": _rules(
        ("user", "ip_address"),
        DateUpdatedComparator("first_seen", "last_seen"),
        # Corrected from the address on import: only the address itself is compared.
        IgnoredComparator("country_code", "region_code"),
    ),
    "sentry.organization": _rules(None, AutoSuffixComparator("slug"), _DATES("date_added")),
    "sentry.organizationmember": _rules(
        None,
        HashObfuscatingComparator("token"),
        _DATES("date_added", "token_expires_at"),
        EmailObfuscatingComparator("email", "user_email"),
    ),
    "sentry.team": _rules(None, IgnoredComparator("org_role"), _DATES("date_added")),
    "sentry.project": _rules(None, _DATES("date_added", "first_event")),
    "sentry.orgauthtoken": _rules(
        None,
        HashObfuscatingComparator("token_hashed", "token_last_characters"),
        _DATES("date_added", "date_last_used", "date_deactivated"),
    ),
}


def _with_keys(model: str, rules: ModelRules) -> ModelRules:
    spec = BY_NAME.get(model)
    if spec is None or not spec.foreign_keys:
        return rules
    keys = ForeignKeyComparator(
        {
            name: (key.target, key.on_missing is OnMissing.NULL)
            for name, key in spec.foreign_keys.items()
        }
    )
    return ModelRules(rules.ordinal, (*rules.comparators, keys))


RULES: dict[str, ModelRules] = {
    model: _with_keys(model, _BY_MODEL.get(model, ModelRules())) for model in BY_NAME
}
# Models Silo does not keep are compared field by field, ordered by pk.
PLAIN = ModelRules()


def rules_for(model: str) -> ModelRules:
    """The rules of ``model``."""
    return RULES.get(model, PLAIN)


def foreign_keys(model: str) -> Mapping[str, str]:
    """The foreign key fields of ``model`` and the models they point at."""
    spec = BY_NAME.get(model)
    return {} if spec is None else {name: key.target for name, key in spec.foreign_keys.items()}
