"""The user service's lookups: users by id, filter, email or username, and their organizations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import ColumnElement, exists, func, select

from control_silo.db.models import (
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
    UserEmailRow,
    UserRow,
)
from control_silo.outbox.messages import member_regions
from control_silo.services.rows import to_summary
from control_silo.services.user_base import UserServiceBase
from control_silo.services.user_queries import (
    checked_filter,
    decode_page_token,
    encode_page_token,
    filter_conditions,
    find_active_by_email,
    lowered,
)
from shared import validation
from shared.errors import InvalidArgument, NotFound
from shared.folding import fold_case
from shared.services.organization.model import OrganizationStatus
from shared.services.user.model import (
    DEFAULT_PAGE_SIZE,
    MAX_IDS_PER_REQUEST,
    OrganizationSummary,
    User,
    UserFilter,
    UserIdEmail,
    UserPage,
    VerifyUserEmailResult,
)


class UserLookups(UserServiceBase):
    """The read methods of ``DatabaseUserService``."""

    def get_user(self, *, user_id: int) -> User:
        validation.positive_id(user_id, "user_id")
        user = self._user_cache.get(user_id)
        if user is None:
            raise NotFound(f"no user has id {user_id}", field="user_id")
        return user

    def get_many_by_id(self, *, user_ids: Sequence[int]) -> list[User]:
        ids = validation.bounded_list(user_ids, "user_ids")
        if not ids:
            return []
        found = self._user_cache.get_many(ids)
        return [found[user_id] for user_id in ids if user_id in found]

    def get_many(self, *, filter: UserFilter, page_size: int = 0, page_token: str = "") -> UserPage:
        checked_filter(filter)
        if not 0 <= page_size <= MAX_IDS_PER_REQUEST:
            raise InvalidArgument(f"must be between 0 and {MAX_IDS_PER_REQUEST}", field="page_size")
        size = page_size or DEFAULT_PAGE_SIZE
        after = decode_page_token(page_token)
        conditions = [UserRow.id > after, *filter_conditions(filter)]
        with self._uow(read_only=True) as uow:
            ids = uow.session.scalars(
                select(UserRow.id).where(*conditions).order_by(UserRow.id).limit(size + 1)
            ).all()
            users = self._loader(uow).ordered(ids[:size])
        next_token = encode_page_token(ids[size - 1]) if len(ids) > size else ""
        return UserPage(users=users, next_page_token=next_token)

    def get_many_by_email(
        self,
        *,
        emails: Sequence[str],
        is_active: bool = True,
        is_verified: bool = True,
        organization_id: int | None = None,
    ) -> list[User]:
        addresses = lowered(validation.bounded_list(emails, "emails"))
        if not addresses:
            return []
        email_query = select(UserEmailRow.user_id, UserEmailRow.email).where(
            func.lower(UserEmailRow.email).in_(addresses)
        )
        if is_verified:
            email_query = email_query.where(UserEmailRow.is_verified.is_(True))
        with self._uow(read_only=True) as uow:
            matched: dict[int, list[str]] = {}
            for user_id, address in uow.session.execute(email_query.order_by(UserEmailRow.id)):
                matched.setdefault(user_id, []).append(address)
            user_query = select(UserRow.id).where(UserRow.id.in_(matched)).order_by(UserRow.id)
            if is_active:
                user_query = user_query.where(UserRow.is_active.is_(True))
            if organization_id is not None:
                user_query = user_query.where(
                    exists().where(
                        OrganizationMemberMappingRow.user_id == UserRow.id,
                        OrganizationMemberMappingRow.organization_id == organization_id,
                    )
                )
            users = self._loader(uow).ordered(uow.session.scalars(user_query).all())
        return [replace(user, email=address) for user in users for address in matched[user.id]]

    def get_by_username(
        self, *, username: str, with_valid_password: bool = True, is_active: bool | None = None
    ) -> list[User]:
        conditions: list[ColumnElement[bool]] = []
        if is_active is not None:
            conditions.append(UserRow.is_active.is_(is_active))
        if with_valid_password:
            conditions.append(UserRow.password.not_like("!%"))
        wanted = fold_case(username.strip())
        with self._uow(read_only=True) as uow:
            by_name = uow.session.scalars(
                select(UserRow.id).where(func.lower(UserRow.username) == wanted, *conditions)
            ).all()
            if by_name:
                return self._loader(uow).ordered(by_name)
            if "@" not in wanted:
                return []
            by_email = uow.session.scalars(
                select(UserRow.id)
                .where(func.lower(UserRow.email) == wanted, *conditions)
                .order_by(UserRow.id)
            ).all()
            return self._loader(uow).ordered(by_email)

    def get_existing_usernames(self, *, usernames: Sequence[str]) -> list[str]:
        wanted = validation.bounded_list(usernames, "usernames")
        if not wanted:
            return []
        with self._uow(read_only=True) as uow:
            found = set(
                uow.session.scalars(select(UserRow.username).where(UserRow.username.in_(wanted)))
            )
        return [name for name in dict.fromkeys(wanted) if name in found]

    def get_organizations(
        self, *, user_id: int, only_visible: bool = False
    ) -> list[OrganizationSummary]:
        validation.positive_id(user_id, "user_id")
        member_of = select(OrganizationMemberMappingRow.organization_id).where(
            OrganizationMemberMappingRow.user_id == user_id
        )
        query = (
            select(OrganizationMappingRow)
            .where(OrganizationMappingRow.organization_id.in_(member_of))
            .order_by(OrganizationMappingRow.organization_id)
        )
        if only_visible:
            query = query.where(OrganizationMappingRow.status == int(OrganizationStatus.ACTIVE))
        with self._uow(read_only=True) as uow:
            return [to_summary(mapping) for mapping in uow.session.scalars(query)]

    def get_member_region_names(self, *, user_id: int) -> list[str]:
        validation.positive_id(user_id, "user_id")
        with self._uow(read_only=True) as uow:
            return member_regions(uow.session, user_id)

    def get_user_by_email(self, *, email: str, ident: str | None = None) -> User | None:
        with self._uow(read_only=True) as uow:
            row = find_active_by_email(uow.session, email, ident)
            return self._loader(uow).one(row.id) if row is not None else None

    def verify_user_emails(
        self, *, user_id_emails: Sequence[UserIdEmail], only_verified: bool = False
    ) -> list[VerifyUserEmailResult]:
        pairs = validation.bounded_list(user_id_emails, "user_id_emails")
        if not pairs:
            return []
        query = select(UserEmailRow.user_id, func.lower(UserEmailRow.email)).where(
            UserEmailRow.user_id.in_({pair.user_id for pair in pairs})
        )
        if only_verified:
            query = query.where(UserEmailRow.is_verified.is_(True))
        with self._uow(read_only=True) as uow:
            present = {(user_id, address) for user_id, address in uow.session.execute(query)}
        return [
            VerifyUserEmailResult(
                user_id=pair.user_id,
                email=pair.email,
                exists=(pair.user_id, fold_case(pair.email.strip())) in present,
            )
            for pair in pairs
        ]

    def get_first_superuser(self) -> User | None:
        with self._uow(read_only=True) as uow:
            row = uow.session.scalars(
                select(UserRow)
                .where(UserRow.is_superuser.is_(True), UserRow.is_active.is_(True))
                .order_by(UserRow.id)
                .limit(1)
            ).first()
            return self._loader(uow).one(row.id) if row is not None else None
