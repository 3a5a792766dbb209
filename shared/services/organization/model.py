"""Typed values of the organization service."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from shared.services.user.model import User

MAX_ORGANIZATION_NAME_LENGTH = 64


class OrganizationStatus(enum.IntEnum):
    """Stored status numbers (Sentry's)."""

    ACTIVE = 0
    PENDING_DELETION = 1
    DELETION_IN_PROGRESS = 2
    RELOCATION_PENDING_APPROVAL = 3


class MemberRole(enum.StrEnum):
    """Organization roles, weakest first."""

    MEMBER = "member"
    ADMIN = "admin"
    MANAGER = "manager"
    OWNER = "owner"


@dataclass(frozen=True)
class Organization:
    """A customer account living in one region."""

    id: int
    slug: str
    name: str
    status: OrganizationStatus
    default_role: MemberRole
    date_added: datetime
    is_test: bool = False
    flags: int = 0


@dataclass(frozen=True)
class OrganizationMember:
    """A membership, or an invitation when ``user_id`` is None. ``user`` is hydrated from the
    control silo where asked."""

    id: int
    organization_id: int
    user_id: int | None
    email: str
    role: MemberRole
    user_is_active: bool
    user_email: str
    inviter_id: int | None
    date_added: datetime
    user: User | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Team:
    """A group of members of one organization."""

    id: int
    organization_id: int
    slug: str
    name: str
