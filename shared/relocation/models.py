"""The Sentry models Silo relocates: which silo owns each, its scope and its foreign keys."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from shared.relocation.scopes import RelocationScope
from shared.silo_mode import SiloMode


class OnMissing(enum.Enum):
    """What happens to a row whose foreign key points at a row that was not imported."""

    DROP = "drop"  # the row is left out (how filters cascade)
    NULL = "null"  # the key is cleared (an inviter, a creator)


@dataclass(frozen=True)
class ForeignKey:
    """A field holding the pk, in the same file, of a row of ``target``.

    ``cross_silo`` keys (``user_id`` of a member) point into the other silo, so a missing target
    is normal where the scope does not carry it.
    """

    target: str
    nullable: bool = False
    on_missing: OnMissing = OnMissing.DROP
    cross_silo: bool = False


@dataclass(frozen=True)
class ModelSpec:
    """One relocated model."""

    name: str
    silo: SiloMode
    scope: RelocationScope
    foreign_keys: Mapping[str, ForeignKey] = field(default_factory=dict)
    # Written after every other model, in file order (organization tokens embed the final slug).
    deferred: bool = False


USER = "sentry.user"
ORGANIZATION = "sentry.organization"
PROJECT = "sentry.project"
TEAM = "sentry.team"

_USER_KEY = ForeignKey(USER)
_C, _R = SiloMode.CONTROL, SiloMode.REGION
_U, _O, _CF, _G = (
    RelocationScope.USER,
    RelocationScope.ORGANIZATION,
    RelocationScope.CONFIG,
    RelocationScope.GLOBAL,
)

MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(USER, _C, _U),
    ModelSpec("sentry.email", _C, _U),
    ModelSpec("sentry.useremail", _C, _U, {"user": _USER_KEY}),
    ModelSpec(
        "sentry.useroption",
        _C,
        _U,
        {
            "user": _USER_KEY,
            "project_id": ForeignKey(PROJECT, nullable=True, cross_silo=True),
            "organization_id": ForeignKey(ORGANIZATION, nullable=True, cross_silo=True),
        },
    ),
    ModelSpec("sentry.userpermission", _C, _CF, {"user": _USER_KEY}),
    ModelSpec("sentry.userrole", _C, _CF),
    ModelSpec(
        "sentry.userroleuser", _C, _CF, {"user": _USER_KEY, "role": ForeignKey("sentry.userrole")}
    ),
    # Auth providers (and the identities on them) wait for every organization: files of Sentry
    # 23.7 and older write them before the organizations their key points at.
    ModelSpec(
        "sentry.authprovider",
        _C,
        _G,
        {"organization_id": ForeignKey(ORGANIZATION, cross_silo=True)},
        deferred=True,
    ),
    ModelSpec(
        "sentry.authidentity",
        _C,
        _G,
        {"user": _USER_KEY, "auth_provider": ForeignKey("sentry.authprovider")},
        deferred=True,
    ),
    ModelSpec("sentry.authenticator", _C, _G, {"user": _USER_KEY}),
    ModelSpec("sentry.userip", _C, _G, {"user": _USER_KEY}),
    ModelSpec(ORGANIZATION, _R, _O),
    ModelSpec("sentry.organizationoption", _R, _O, {"organization": ForeignKey(ORGANIZATION)}),
    ModelSpec(
        "sentry.organizationmember",
        _R,
        _O,
        {
            "organization": ForeignKey(ORGANIZATION),
            "user_id": ForeignKey(USER, nullable=True, cross_silo=True),
            "inviter_id": ForeignKey(
                USER, nullable=True, on_missing=OnMissing.NULL, cross_silo=True
            ),
        },
    ),
    ModelSpec(TEAM, _R, _O, {"organization": ForeignKey(ORGANIZATION)}),
    ModelSpec(
        "sentry.organizationmemberteam",
        _R,
        _O,
        {"team": ForeignKey(TEAM), "organizationmember": ForeignKey("sentry.organizationmember")},
    ),
    ModelSpec(PROJECT, _R, _O, {"organization": ForeignKey(ORGANIZATION)}),
    ModelSpec(
        "sentry.projectteam", _R, _O, {"project": ForeignKey(PROJECT), "team": ForeignKey(TEAM)}
    ),
    ModelSpec(
        "sentry.orgauthtoken",
        _R,
        _O,
        {
            "organization_id": ForeignKey(ORGANIZATION, cross_silo=True),
            "created_by": ForeignKey(
                USER, nullable=True, on_missing=OnMissing.NULL, cross_silo=True
            ),
            "project_last_used_id": ForeignKey(
                PROJECT, nullable=True, on_missing=OnMissing.NULL, cross_silo=True
            ),
        },
        deferred=True,
    ),
)

BY_NAME: dict[str, ModelSpec] = {spec.name: spec for spec in MODELS}
# The models some foreign key points at: only their rows' new ids need remembering.
REFERENCED = frozenset(key.target for spec in MODELS for key in spec.foreign_keys.values())


def depends_on(model: str) -> frozenset[str]:
    """The models ``model`` points at with a foreign key in the same silo or across."""
    return frozenset(key.target for key in BY_NAME[model].foreign_keys.values()) - {model}


def owned_by(silo: SiloMode) -> tuple[ModelSpec, ...]:
    """The models one silo writes."""
    return tuple(spec for spec in MODELS if spec.silo is silo)


# The order export files write models in: Sentry's dependency order (each model after every
# model it points at), so Sentry's importer reads Silo's exports as it reads its own.
EXPORT_ORDER: tuple[str, ...] = (
    "sentry.email",
    ORGANIZATION,
    USER,
    PROJECT,
    "sentry.useremail",
    "sentry.userip",
    "sentry.userpermission",
    "sentry.userrole",
    "sentry.userroleuser",
    "sentry.orgauthtoken",
    "sentry.organizationmember",
    "sentry.authprovider",
    "sentry.authidentity",
    "sentry.authenticator",
    "sentry.useroption",
    "sentry.organizationoption",
    TEAM,
    "sentry.projectteam",
    "sentry.organizationmemberteam",
)
