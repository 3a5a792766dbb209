"""Typed values the user service takes and returns, free of any transport."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

MAX_IDS_PER_REQUEST = 1000
DEFAULT_PAGE_SIZE = 100


class AvatarType(enum.IntEnum):
    """Which picture stands for a user; the values are the stored column values (Sentry's)."""

    LETTER_AVATAR = 0
    UPLOAD = 1
    GRAVATAR = 2


class UserFlag(enum.IntFlag):
    """Bits of ``User.flags``, in Sentry's order."""

    NEWSLETTER_CONSENT_PROMPT = 1 << 0
    DISABLE_SHARING = 1 << 1


@dataclass(frozen=True)
class UserEmail:
    """One address of a user."""

    email: str
    is_verified: bool


@dataclass(frozen=True)
class User:
    """A user as every silo sees it. ``emails`` holds the verified addresses only."""

    id: int
    username: str
    email: str
    name: str
    is_active: bool
    is_staff: bool
    is_superuser: bool
    is_managed: bool
    is_unclaimed: bool
    is_password_expired: bool
    password_usable: bool
    date_joined: datetime
    last_login: datetime | None
    last_active: datetime | None
    flags: int
    avatar_type: AvatarType
    avatar_url: str | None
    emails: frozenset[str]
    useremails: tuple[UserEmail, ...]
    permissions: frozenset[str]
    # The permission strings the user's roles grant (Super Admin: broadcasts.admin, users.admin,
    # options.admin), not the roles' names: Sentry's checks read ``roles | permissions``.
    roles: frozenset[str]


@dataclass(frozen=True)
class UserFilter:
    """Selects users for ``get_many``; ``None`` means "no condition", an empty sequence matches
    no user (as in Sentry)."""

    user_ids: Sequence[int] | None = None
    emails: Sequence[str] | None = None
    organization_id: int | None = None
    is_active: bool | None = None
    email_verified: bool | None = None
    query: str | None = None
    # Users with a second factor of one of these types (Sentry's authenticator type ids).
    authenticator_types: Sequence[int] | None = None


@dataclass(frozen=True)
class UserPage:
    """One page of users and the token of the next page (empty on the last page)."""

    users: list[User]
    next_page_token: str = ""


@dataclass(frozen=True)
class UserUpdate:
    """The fields ``update_user`` changes; ``None`` leaves a field as it is."""

    name: str | None = None
    email: str | None = None
    is_active: bool | None = None
    avatar_type: AvatarType | None = None
    avatar_url: str | None = None
    is_staff: bool | None = None
    is_superuser: bool | None = None
    password: str | None = field(default=None, repr=False)

    def changed_fields(self) -> list[str]:
        """The names of the fields this update sets."""
        return [name for name in _UPDATABLE_FIELDS if getattr(self, name) is not None]


_UPDATABLE_FIELDS = (
    "name",
    "email",
    "is_active",
    "avatar_type",
    "avatar_url",
    "is_staff",
    "is_superuser",
    "password",
)
UPDATABLE_FIELDS = frozenset(_UPDATABLE_FIELDS)


@dataclass(frozen=True)
class NewUser:
    """What ``create_user`` needs. Give ``password`` or ``password_hash``, or neither for an
    unusable password."""

    username: str
    email: str = ""
    name: str = ""
    password: str | None = field(default=None, repr=False)
    password_hash: str | None = field(default=None, repr=False)
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    is_managed: bool = False
    is_unclaimed: bool = False


@dataclass(frozen=True)
class UserCreateResult:
    """The user ``get_or_create_by_email`` found or made, and whether it made it."""

    user: User
    created: bool


@dataclass(frozen=True)
class UserIdEmail:
    """A (user, email) pair to check with ``verify_user_emails``."""

    user_id: int
    email: str


@dataclass(frozen=True)
class VerifyUserEmailResult:
    """Whether a user has an email (verified only, when asked)."""

    user_id: int
    email: str
    exists: bool


@dataclass(frozen=True)
class OrganizationSummary:
    """The control silo's mapping of an organization living in some region."""

    organization_id: int
    slug: str
    name: str
    region_name: str
    status: int


@dataclass(frozen=True)
class UserProfile:
    """The few user attributes read without emails, permissions or roles (Sentry's
    ``RpcUserProfile``): ``display_name`` is the name, else the email, else the username;
    ``label`` the email, else the username, else the id."""

    id: int
    username: str
    email: str
    name: str
    display_name: str
    label: str
    is_active: bool
    is_staff: bool
    is_superuser: bool
    is_unclaimed: bool
    is_password_expired: bool
    password_usable: bool
    last_active: datetime | None


@dataclass(frozen=True)
class UserAvatar:
    """A user's avatar row (Sentry's ``RpcAvatar``): ``avatar_type`` is ``letter_avatar``,
    ``upload`` or ``gravatar``; ``ident`` is its public 32-hex-digit name."""

    id: int
    file_id: int | None
    ident: str
    avatar_type: str
