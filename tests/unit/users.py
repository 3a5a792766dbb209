"""A user value for the unit tests of values on the wire."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.services.user.model import AvatarType, User, UserEmail


def a_user(**changes: object) -> User:
    """A user with every field set to something other than its zero value, ``changes``
    applied."""
    values: dict[str, object] = {
        "id": 7,
        "username": "ada",
        "email": "ada@example.com",
        "name": "Ada",
        "is_active": True,
        "is_staff": False,
        "is_superuser": True,
        "is_managed": False,
        "is_unclaimed": False,
        "is_password_expired": False,
        "password_usable": True,
        "date_joined": datetime(2024, 2, 29, 13, 14, 15, 678901, tzinfo=UTC),
        "last_login": None,
        "last_active": None,
        "flags": 3,
        "avatar_type": AvatarType.UPLOAD,
        "avatar_url": None,
        "emails": frozenset({"b@example.com", "a@example.com"}),
        "useremails": (UserEmail("b@example.com", True), UserEmail("a@example.com", True)),
        "permissions": frozenset(),
        "roles": frozenset({"users.admin", "broadcasts.admin"}),
    }
    values.update(changes)
    return User(**values)  # type: ignore[arg-type]
