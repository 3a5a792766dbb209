"""The user service's reads of whole filters: ids, profiles, Sentry's API shape and avatars."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from control_silo.db.models import (
    AuthenticatorRow,
    OrganizationMemberMappingRow,
    UserAvatarRow,
    UserEmailRow,
    UserRow,
    UserSocialAuthRow,
)
from control_silo.db.models.avatar import AVATAR_TYPES
from control_silo.services.user_base import UserServiceBase
from control_silo.services.user_queries import checked_filter, filter_conditions
from control_silo.services.user_serial import profile_of, sentry_user
from shared import validation
from shared.db.bulk import batches
from shared.services.user.model import User, UserAvatar, UserFilter, UserProfile

# Sentry's recovery codes: a backup of a second factor, not one by themselves.
RECOVERY_CODES = 0


class UserProfiles(UserServiceBase):
    """The filter-wide reads of ``DatabaseUserService``."""

    def get_many_ids(self, *, filter: UserFilter) -> list[int]:
        conditions = filter_conditions(checked_filter(filter))
        with self._uow(read_only=True) as uow:
            return list(
                uow.session.scalars(select(UserRow.id).where(*conditions).order_by(UserRow.id))
            )

    def get_many_profiles(self, *, filter: UserFilter) -> list[UserProfile]:
        conditions = filter_conditions(checked_filter(filter))
        with self._uow(read_only=True) as uow:
            rows = uow.session.scalars(select(UserRow).where(*conditions).order_by(UserRow.id))
            return [profile_of(row) for row in rows]

    def serialize_many(self, *, filter: UserFilter, as_user_id: int | None = None) -> list[str]:
        conditions = filter_conditions(checked_filter(filter))
        with self._uow(read_only=True) as uow:
            session = uow.session
            users = list(session.scalars(select(UserRow).where(*conditions).order_by(UserRow.id)))
            ids = [user.id for user in users]
            emails: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for batch in batches(ids):
                for user_id, email_id, email, is_verified in session.execute(
                    select(
                        UserEmailRow.user_id,
                        UserEmailRow.id,
                        UserEmailRow.email,
                        UserEmailRow.is_verified,
                    )
                    .where(UserEmailRow.user_id.in_(batch))
                    .order_by(UserEmailRow.id)
                ):
                    emails[user_id].append(
                        {"id": str(email_id), "email": email, "is_verified": bool(is_verified)}
                    )
            two_factor = {
                user_id
                for batch in batches(ids)
                for user_id in session.scalars(
                    select(AuthenticatorRow.user_id).where(
                        AuthenticatorRow.user_id.in_(batch),
                        AuthenticatorRow.type != RECOVERY_CODES,
                    )
                )
            }
            avatars = {
                row.user_id: row
                for batch in batches(ids)
                for row in session.scalars(
                    select(UserAvatarRow).where(UserAvatarRow.user_id.in_(batch))
                )
            }
            return [
                json.dumps(
                    sentry_user(
                        user,
                        emails=emails.get(user.id, []),
                        has2fa=user.id in two_factor,
                        avatar=avatars.get(user.id),
                        is_requester=user.id == as_user_id,
                    ),
                    sort_keys=True,
                )
                for user in users
            ]

    def get_user_avatar(self, *, user_id: int) -> UserAvatar | None:
        validation.positive_id(user_id, "user_id")
        with self._uow(read_only=True) as uow:
            row = uow.session.scalars(
                select(UserAvatarRow).where(UserAvatarRow.user_id == user_id)
            ).first()
            if row is None:
                return None
            return UserAvatar(
                id=row.id,
                file_id=row.file_id if row.file_id is not None else row.control_file_id,
                ident=row.ident,
                avatar_type=AVATAR_TYPES.get(row.avatar_type, "letter_avatar"),
            )

    def get_user_by_social_auth(
        self, *, organization_id: int, provider: str, external_id: str
    ) -> User | None:
        validation.positive_id(organization_id, "organization_id")
        validation.text(provider, "provider", max_length=32)
        validation.text(external_id, "external_id", max_length=255)
        with self._uow(read_only=True) as uow:
            user_id = uow.session.scalars(
                select(UserSocialAuthRow.user_id)
                .join(
                    OrganizationMemberMappingRow,
                    OrganizationMemberMappingRow.user_id == UserSocialAuthRow.user_id,
                )
                .where(
                    UserSocialAuthRow.provider == provider,
                    UserSocialAuthRow.uid == external_id,
                    OrganizationMemberMappingRow.organization_id == organization_id,
                )
                .order_by(UserSocialAuthRow.id)
            ).first()
            return self._loader(uow).one(user_id) if user_id is not None else None
