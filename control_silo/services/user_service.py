"""The user service backed by the control database."""

from __future__ import annotations

import contextlib
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import ColumnElement, Engine, and_, delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import (
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
    UserEmailRow,
    UserPermissionRow,
    UserRoleRow,
    UserRoleUserRow,
    UserRow,
)
from control_silo.outbox.messages import user_changed
from control_silo.passwords import (
    DEFAULT_ITERATIONS,
    make_password,
    make_unusable_password,
    validate_hash,
)
from control_silo.services.emails import ensure_useremail
from control_silo.services.user_queries import (
    decode_page_token,
    encode_page_token,
    filter_conditions,
    find_active_by_email,
    lowered,
)
from control_silo.services.user_reads import UserLoader
from shared import validation
from shared.db.types import utcnow
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists, InvalidArgument, NotFound
from shared.outbox.writer import OutboxWriter
from shared.services.organization.model import OrganizationStatus
from shared.services.user.model import (
    DEFAULT_PAGE_SIZE,
    MAX_IDS_PER_REQUEST,
    NewUser,
    OrganizationSummary,
    User,
    UserCreateResult,
    UserFilter,
    UserFlag,
    UserIdEmail,
    UserPage,
    UserUpdate,
    VerifyUserEmailResult,
)
from shared.services.user.service import UserService

MAX_NAME_LENGTH = 200
MAX_PASSWORD_LENGTH = 4096
MAX_PERMISSION_LENGTH = 32
MAX_AVATAR_URL_LENGTH = 120
_SLUG_UNSAFE = re.compile(r"[^a-z0-9_-]+")


class DatabaseUserService(UserService):
    """Reads and writes users in the control database, one transaction per call."""

    def __init__(
        self,
        engine: Engine,
        session_factory: sessionmaker[Session],
        *,
        outbox: OutboxWriter | None = None,
        password_iterations: int = DEFAULT_ITERATIONS,
    ) -> None:
        self._sessions = session_factory
        self._engine = engine
        self._outbox = outbox
        self._password_iterations = password_iterations

    def _uow(self, lock: str | None = None, *, read_only: bool = False) -> UnitOfWork:
        if read_only:
            return UnitOfWork(self._sessions, read_only=True)
        return UnitOfWork(self._sessions, lock=lock, outbox=self._outbox)

    @staticmethod
    def _require_user(session: Session, user_id: int) -> UserRow:
        validation.positive_id(user_id, "user_id")
        row = session.get(UserRow, user_id)
        if row is None:
            raise NotFound(f"no user has id {user_id}", field="user_id")
        return row

    # Reads

    def _loader(self, uow: UnitOfWork) -> UserLoader:
        return UserLoader(uow.session.connection())

    def get_user(self, *, user_id: int) -> User:
        validation.positive_id(user_id, "user_id")
        # The hot read path skips the ORM session: one pooled connection, two queries.
        with self._engine.connect() as connection:
            user = UserLoader(connection).by_id([user_id]).get(user_id)
        if user is None:
            raise NotFound(f"no user has id {user_id}", field="user_id")
        return user

    def get_many_by_id(self, *, user_ids: Sequence[int]) -> list[User]:
        ids = validation.bounded_list(user_ids, "user_ids")
        if not ids:
            return []
        with self._engine.connect() as connection:
            return UserLoader(connection).ordered(ids)

    def get_many(self, *, filter: UserFilter, page_size: int = 0, page_token: str = "") -> UserPage:
        if not (filter.user_ids or filter.emails or filter.organization_id is not None):
            raise InvalidArgument(
                "needs at least one of user_ids, emails or organization_id", field="filter"
            )
        validation.bounded_list(filter.user_ids, "filter.user_ids")
        validation.bounded_list(filter.emails, "filter.emails")
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
        wanted = username.strip().lower()
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
            return [
                OrganizationSummary(
                    organization_id=mapping.organization_id,
                    slug=mapping.slug,
                    name=mapping.name,
                    region_name=mapping.region_name,
                    status=mapping.status,
                )
                for mapping in uow.session.scalars(query)
            ]

    def get_member_region_names(self, *, user_id: int) -> list[str]:
        validation.positive_id(user_id, "user_id")
        member_of = select(OrganizationMemberMappingRow.organization_id).where(
            OrganizationMemberMappingRow.user_id == user_id
        )
        query = (
            select(OrganizationMappingRow.region_name)
            .where(OrganizationMappingRow.organization_id.in_(member_of))
            .distinct()
            .order_by(OrganizationMappingRow.region_name)
        )
        with self._uow(read_only=True) as uow:
            return list(uow.session.scalars(query))

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
                exists=(pair.user_id, pair.email.strip().lower()) in present,
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

    # Writes

    def _hash_password(self, password: str) -> str:
        if not password:
            raise InvalidArgument("must not be empty", field="password")
        if len(password) > MAX_PASSWORD_LENGTH:
            raise InvalidArgument(
                f"is longer than {MAX_PASSWORD_LENGTH} characters", field="password"
            )
        return make_password(password, iterations=self._password_iterations)

    def _password_column(self, user: NewUser) -> str:
        if user.password is not None:
            return self._hash_password(user.password)
        if user.password_hash is not None:
            problem = validate_hash(user.password_hash)
            if problem is not None:
                raise InvalidArgument(problem, field="password_hash")
            return user.password_hash
        return make_unusable_password()

    def create_user(self, *, user: NewUser) -> User:
        validation.username(user.username)
        address = validation.email(user.email) if user.email.strip() else ""
        validation.text(user.name, "name", max_length=MAX_NAME_LENGTH, required=False)
        password = self._password_column(user)
        row = UserRow(
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
        with self._uow() as uow:
            self._insert_user(uow, row)
            created = self._loader(uow).one(row.id)
            uow.commit()
        return created

    @staticmethod
    def _insert_user(uow: UnitOfWork, row: UserRow) -> None:
        taken = uow.session.scalar(
            select(UserRow.id).where(func.lower(UserRow.username) == row.username.lower())
        )
        if taken is not None:
            raise AlreadyExists(f"{row.username!r} is taken", field="username")
        uow.session.add(row)
        try:
            uow.flush()
        except IntegrityError:
            # Another writer took the name between the check and the insert.
            raise AlreadyExists(f"{row.username!r} is taken", field="username") from None
        if row.email:
            ensure_useremail(uow.session, row.id, row.email)

    def get_or_create_by_email(
        self, *, email: str, ident: str | None = None, referrer: str | None = None
    ) -> UserCreateResult:
        address = validation.email(email)
        # One lock per address makes check-then-create atomic for concurrent callers.
        with self._uow(lock=f"user-email:{address.lower()}") as uow:
            existing = find_active_by_email(uow.session, address, ident)
            if existing is not None:
                return UserCreateResult(self._loader(uow).one(existing.id), created=False)
            local_part = _SLUG_UNSAFE.sub("-", address.split("@")[0].lower()).strip("-")
            row = UserRow(
                username=f"{local_part}-{uuid.uuid4().hex}"[: validation.MAX_USERNAME_LENGTH],
                email=address,
                name=address,
                password=make_unusable_password(),
                flags=int(UserFlag.NEWSLETTER_CONSENT_PROMPT),
            )
            self._insert_user(uow, row)
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
        password = self._hash_password(update.password) if update.password is not None else None
        with self._uow() as uow:
            row = self._require_user(uow.session, user_id)
            if update.name is not None:
                row.name = update.name
            if address is not None:
                row.email = address
                ensure_useremail(uow.session, row.id, address)
            if update.is_active is not None:
                row.is_active = update.is_active
            if update.avatar_type is not None:
                row.avatar_type = int(update.avatar_type)
            if update.avatar_url is not None:
                row.avatar_url = update.avatar_url or None
            if update.is_staff is not None:
                row.is_staff = update.is_staff
            if update.is_superuser is not None:
                row.is_superuser = update.is_superuser
            if password is not None:
                row.password = password
                row.last_password_change = utcnow()
                row.is_password_expired = False
            uow.flush()
            user_changed(uow, row.id)
            updated = self._loader(uow).one(row.id)
            uow.commit()
        return updated

    def flush_nonce(self, *, user_id: int) -> None:
        with self._uow() as uow:
            self._require_user(uow.session, user_id).session_nonce = secrets.token_hex(6)
            user_changed(uow, user_id)
            uow.commit()

    def verify_user_email(self, *, user_id: int, email: str) -> bool:
        return self._verify(
            and_(
                UserEmailRow.user_id == user_id,
                func.lower(UserEmailRow.email) == email.strip().lower(),
            )
        )

    def verify_any_email(self, *, email: str) -> bool:
        return self._verify(func.lower(UserEmailRow.email) == email.strip().lower())

    def _verify(self, condition: ColumnElement[bool]) -> bool:
        with self._uow() as uow:
            row = uow.session.scalars(
                select(UserEmailRow).where(condition).order_by(UserEmailRow.id).limit(1)
            ).first()
            if row is None or row.is_verified:
                return False
            row.is_verified = True
            user_changed(uow, row.user_id)
            uow.commit()
        return True

    def add_permission(self, *, user_id: int, permission: str) -> None:
        validation.text(permission, "permission", max_length=MAX_PERMISSION_LENGTH)
        with self._uow() as uow:
            self._require_user(uow.session, user_id)
            held = uow.session.scalar(
                select(UserPermissionRow.id).where(
                    UserPermissionRow.user_id == user_id, UserPermissionRow.permission == permission
                )
            )
            if held is None:
                uow.session.add(UserPermissionRow(user_id=user_id, permission=permission))
                user_changed(uow, user_id)
                # Granted concurrently: the outcome is the same.
                with contextlib.suppress(IntegrityError):
                    uow.commit()

    def remove_permission(self, *, user_id: int, permission: str) -> None:
        with self._uow() as uow:
            self._require_user(uow.session, user_id)
            uow.session.execute(
                delete(UserPermissionRow).where(
                    UserPermissionRow.user_id == user_id, UserPermissionRow.permission == permission
                )
            )
            user_changed(uow, user_id)
            uow.commit()

    def add_user_role(self, *, user_id: int, role: str) -> None:
        with self._uow() as uow:
            self._require_user(uow.session, user_id)
            role_id = uow.session.scalar(select(UserRoleRow.id).where(UserRoleRow.name == role))
            if role_id is None:
                raise NotFound(f"no role is named {role!r}", field="role")
            held = uow.session.scalar(
                select(UserRoleUserRow.id).where(
                    UserRoleUserRow.user_id == user_id, UserRoleUserRow.role_id == role_id
                )
            )
            if held is None:
                uow.session.add(UserRoleUserRow(user_id=user_id, role_id=role_id))
                user_changed(uow, user_id)
                uow.commit()

    def remove_user_role(self, *, user_id: int, role: str) -> None:
        with self._uow() as uow:
            self._require_user(uow.session, user_id)
            role_ids = select(UserRoleRow.id).where(UserRoleRow.name == role)
            uow.session.execute(
                delete(UserRoleUserRow).where(
                    UserRoleUserRow.user_id == user_id, UserRoleUserRow.role_id.in_(role_ids)
                )
            )
            user_changed(uow, user_id)
            uow.commit()
