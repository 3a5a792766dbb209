"""The user service's writes: validate, open a unit of work, call the write functions, commit."""

from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import replace

from sqlalchemy.exc import IntegrityError

from control_silo.passwords import make_password, make_unusable_password, validate_hash
from control_silo.services.user_base import UserServiceBase
from control_silo.services.user_queries import find_active_by_email
from control_silo.writes import email_requests, emails, permissions, users
from control_silo.writes.users import UserValues
from shared import validation
from shared.db.types import utcnow
from shared.errors import InvalidArgument
from shared.folding import fold_case
from shared.services.user.model import NewUser, User, UserCreateResult, UserFlag, UserUpdate

MAX_NAME_LENGTH = 200
MAX_PASSWORD_LENGTH = 4096
MAX_PERMISSION_LENGTH = 32
MAX_AVATAR_URL_LENGTH = 120
_SLUG_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def hash_password(password: str, *, iterations: int) -> str:
    """The stored form of a new password; raises ``InvalidArgument`` (field ``password``)."""
    if not password:
        raise InvalidArgument("must not be empty", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidArgument(f"is longer than {MAX_PASSWORD_LENGTH} characters", field="password")
    return make_password(password, iterations=iterations)


def new_user_values(user: NewUser, *, password_iterations: int) -> UserValues:
    """Checks a ``NewUser`` and turns it into the columns ``create_users`` writes (its password
    hashed); raises ``InvalidArgument`` naming the field."""
    validation.username(user.username)
    address = validation.email(user.email) if user.email.strip() else ""
    validation.text(user.name, "name", max_length=MAX_NAME_LENGTH, required=False)
    if user.password is not None:
        password = hash_password(user.password, iterations=password_iterations)
    elif user.password_hash is not None:
        problem = validate_hash(user.password_hash)
        if problem is not None:
            raise InvalidArgument(problem, field="password_hash")
        password = user.password_hash
    else:
        password = make_unusable_password()
    return UserValues(
        username=user.username,
        email=address,
        name=user.name,
        password=password,
        is_active=user.is_active,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        is_managed=user.is_managed,
        is_unclaimed=user.is_unclaimed,
        last_password_change=utcnow() if user.password is not None else None,
    )


class UserWrites(UserServiceBase):
    """The write methods of ``DatabaseUserService``."""

    def create_user(self, *, user: NewUser) -> User:
        values = new_user_values(user, password_iterations=self._password_iterations)
        with self._uow() as uow:
            row = users.create_user(uow, values)
            created = self._loader(uow).one(row.id)
            uow.commit()
        return created

    def get_or_create_by_email(
        self, *, email: str, ident: str | None = None, referrer: str | None = None
    ) -> UserCreateResult:
        address = validation.email(email)
        # One lock per address makes check-then-create atomic for concurrent callers.
        with self._uow(lock=f"user-email:{fold_case(address)}") as uow:
            existing = find_active_by_email(uow.session, address, ident)
            if existing is not None:
                return UserCreateResult(self._loader(uow).one(existing.id), created=False)
            local_part = _SLUG_UNSAFE.sub("-", address.split("@")[0].lower()).strip("-")
            row = users.create_user(
                uow,
                UserValues(
                    username=f"{local_part}-{uuid.uuid4().hex}"[: validation.MAX_USERNAME_LENGTH],
                    email=address,
                    name=address,
                    password=make_unusable_password(),
                    flags=int(UserFlag.NEWSLETTER_CONSENT_PROMPT),
                ),
            )
            created = self._loader(uow).one(row.id)
            uow.commit()
        return UserCreateResult(created, created=True)

    def update_user(self, *, user_id: int, update: UserUpdate) -> User:
        if update.name is not None:
            validation.text(update.name, "name", max_length=MAX_NAME_LENGTH, required=False)
        address = validation.email(update.email) if update.email is not None else None
        if update.avatar_url:
            validation.text(
                update.avatar_url, "avatar_url", max_length=MAX_AVATAR_URL_LENGTH, required=False
            )
        password = (
            hash_password(update.password, iterations=self._password_iterations)
            if update.password is not None
            else None
        )
        with self._uow() as uow:
            row = users.update_user(
                uow, user_id, replace(update, email=address), password_hash=password
            )
            updated = self._loader(uow).one(row.id)
            uow.commit()
        return updated

    def flush_nonce(self, *, user_id: int) -> None:
        with self._uow() as uow:
            users.flush_nonce(uow, user_id)
            uow.commit()

    def verify_user_email(self, *, user_id: int, email: str) -> bool:
        with self._uow() as uow:
            verified = emails.verify_user_email(uow, user_id, email)
            if verified:
                uow.commit()
        return verified

    def verify_any_email(self, *, email: str) -> bool:
        with self._uow() as uow:
            verified = emails.verify_any_email(uow, email)
            if verified:
                uow.commit()
        return verified

    def add_permission(self, *, user_id: int, permission: str) -> None:
        validation.text(permission, "permission", max_length=MAX_PERMISSION_LENGTH)
        with self._uow() as uow, contextlib.suppress(IntegrityError):
            # A concurrent grant of the same permission makes this one a no-op.
            if permissions.add_permissions(uow, [(user_id, permission)]):
                uow.commit()

    def remove_permission(self, *, user_id: int, permission: str) -> None:
        with self._uow() as uow:
            permissions.remove_permission(uow, user_id, permission)
            uow.commit()

    def add_user_role(self, *, user_id: int, role: str) -> None:
        with self._uow() as uow:
            if permissions.add_user_roles(uow, [(user_id, role)]):
                uow.commit()

    def remove_user_role(self, *, user_id: int, role: str) -> None:
        with self._uow() as uow:
            permissions.remove_user_role(uow, user_id, role)
            uow.commit()

    def trigger_user_consent_email_if_applicable(self, *, user_id: int) -> int:
        validation.positive_id(user_id, "user_id")
        with self._uow() as uow:
            requested = email_requests.request_consent_emails(uow, user_id)
            uow.commit()
        return requested
