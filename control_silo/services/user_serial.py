"""Users in the shapes Sentry reads them: the profile and the user API's JSON object."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from control_silo.db.models import UserAvatarRow, UserRow
from control_silo.db.models.avatar import AVATAR_TYPES
from control_silo.passwords import is_usable
from shared.services.user.model import UserFlag, UserProfile


def display_name(row: UserRow) -> str:
    """Sentry's ``get_display_name``: the name, else the email, else the username."""
    return row.name or row.email or row.username


def profile_of(row: UserRow) -> UserProfile:
    """The profile of a user row."""
    return UserProfile(
        id=row.id,
        username=row.username,
        email=row.email,
        name=row.name,
        display_name=display_name(row),
        label=row.email or row.username or str(row.id),
        is_active=row.is_active,
        is_staff=row.is_staff,
        is_superuser=row.is_superuser,
        is_unclaimed=row.is_unclaimed,
        is_password_expired=row.is_password_expired,
        password_usable=is_usable(row.password),
        last_active=row.last_active,
    )


def _when(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def gravatar_url(email: str, size: int) -> str:
    """Sentry's gravatar address of an email (mystery-man default)."""
    digest = hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()
    return f"https://gravatar.com/avatar/{digest}?s={size}&d=mm"


def _avatar(avatar: UserAvatarRow | None) -> dict[str, Any]:
    if avatar is None:
        return {"avatarType": "letter_avatar", "avatarUuid": None, "avatarUrl": None}
    kind = AVATAR_TYPES.get(avatar.avatar_type, "letter_avatar")
    url = f"/avatar/{avatar.ident}/" if kind == "upload" else None
    return {"avatarType": kind, "avatarUuid": avatar.ident, "avatarUrl": url}


def sentry_user(
    row: UserRow,
    *,
    emails: list[dict[str, Any]],
    has2fa: bool,
    avatar: UserAvatarRow | None,
    is_requester: bool,
) -> dict[str, Any]:
    """The user as Sentry's user API serializes it; ``flags`` only for the user itself."""
    serialized: dict[str, Any] = {
        "id": str(row.id),
        "name": display_name(row),
        "username": row.username,
        "email": row.email,
        "avatarUrl": gravatar_url(row.email, 32),
        "isActive": row.is_active,
        "hasPasswordAuth": is_usable(row.password),
        "isManaged": row.is_managed,
        "dateJoined": _when(row.date_joined),
        "lastLogin": _when(row.last_login),
        "has2fa": has2fa,
        "lastActive": _when(row.last_active),
        "isSuperuser": row.is_superuser,
        "isStaff": row.is_staff,
        "experiments": {},
        "emails": emails,
        "avatar": _avatar(avatar),
    }
    if is_requester:
        serialized["flags"] = {
            "newsletter_consent_prompt": bool(row.flags & UserFlag.NEWSLETTER_CONSENT_PROMPT)
        }
    return serialized
