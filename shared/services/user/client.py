"""The user service over gRPC: what every silo but the control silo calls."""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from google.protobuf.field_mask_pb2 import FieldMask

from shared.generated.silo.user.v1 import user_pb2 as pb
from shared.generated.silo.user.v1 import user_pb2_grpc
from shared.rpc.channel import DEFAULT_TIMEOUT_SECONDS, call
from shared.services.user import serial
from shared.services.user.model import (
    NewUser,
    OrganizationSummary,
    User,
    UserCreateResult,
    UserFilter,
    UserIdEmail,
    UserPage,
    UserUpdate,
    VerifyUserEmailResult,
)
from shared.services.user.service import UserService


class UserServiceClient(UserService):
    """Calls ``silo.user.v1.UserService`` with a deadline on every call."""

    def __init__(self, channel: grpc.Channel, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._stub = user_pb2_grpc.UserServiceStub(channel)
        self._timeout = timeout

    def get_user(self, *, user_id: int) -> User:
        response = call(
            self._stub.GetUser, pb.GetUserRequest(user_id=user_id), timeout=self._timeout
        )
        return serial.user_from_pb(response.user)

    def get_many_by_id(self, *, user_ids: Sequence[int]) -> list[User]:
        request = pb.GetManyByIDRequest(user_ids=user_ids)
        response = call(self._stub.GetManyByID, request, timeout=self._timeout)
        return [serial.user_from_pb(user) for user in response.users]

    def get_many(self, *, filter: UserFilter, page_size: int = 0, page_token: str = "") -> UserPage:
        request = pb.GetManyRequest(
            filter=serial.filter_to_pb(filter), page_size=page_size, page_token=page_token
        )
        response = call(self._stub.GetMany, request, timeout=self._timeout)
        return UserPage(
            users=[serial.user_from_pb(user) for user in response.users],
            next_page_token=response.next_page_token,
        )

    def get_many_by_email(
        self,
        *,
        emails: Sequence[str],
        is_active: bool = True,
        is_verified: bool = True,
        organization_id: int | None = None,
    ) -> list[User]:
        request = pb.GetManyByEmailRequest(
            emails=emails,
            is_active=is_active,
            is_verified=is_verified,
            organization_id=organization_id,
        )
        response = call(self._stub.GetManyByEmail, request, timeout=self._timeout)
        return [serial.user_from_pb(user) for user in response.users]

    def get_by_username(
        self, *, username: str, with_valid_password: bool = True, is_active: bool | None = None
    ) -> list[User]:
        request = pb.GetByUsernameRequest(
            username=username, with_valid_password=with_valid_password, is_active=is_active
        )
        response = call(self._stub.GetByUsername, request, timeout=self._timeout)
        return [serial.user_from_pb(user) for user in response.users]

    def get_existing_usernames(self, *, usernames: Sequence[str]) -> list[str]:
        request = pb.GetExistingUsernamesRequest(usernames=usernames)
        response = call(self._stub.GetExistingUsernames, request, timeout=self._timeout)
        return list(response.usernames)

    def get_organizations(
        self, *, user_id: int, only_visible: bool = False
    ) -> list[OrganizationSummary]:
        request = pb.GetOrganizationsRequest(user_id=user_id, only_visible=only_visible)
        response = call(self._stub.GetOrganizations, request, timeout=self._timeout)
        return [serial.organization_from_pb(org) for org in response.organizations]

    def get_member_region_names(self, *, user_id: int) -> list[str]:
        request = pb.GetMemberRegionNamesRequest(user_id=user_id)
        response = call(self._stub.GetMemberRegionNames, request, timeout=self._timeout)
        return list(response.region_names)

    def get_or_create_by_email(
        self, *, email: str, ident: str | None = None, referrer: str | None = None
    ) -> UserCreateResult:
        request = pb.GetOrCreateByEmailRequest(
            email=email, ident=ident or "", referrer=referrer or ""
        )
        response = call(self._stub.GetOrCreateByEmail, request, timeout=self._timeout)
        return UserCreateResult(user=serial.user_from_pb(response.user), created=response.created)

    def get_user_by_email(self, *, email: str, ident: str | None = None) -> User | None:
        request = pb.GetUserByEmailRequest(email=email, ident=ident or "")
        response = call(self._stub.GetUserByEmail, request, timeout=self._timeout)
        return serial.user_from_pb(response.user) if response.HasField("user") else None

    def create_user(self, *, user: NewUser) -> User:
        request = pb.CreateUserRequest(
            username=user.username,
            email=user.email,
            name=user.name,
            is_active=user.is_active,
            is_staff=user.is_staff,
            is_superuser=user.is_superuser,
            is_managed=user.is_managed,
            is_unclaimed=user.is_unclaimed,
        )
        if user.password is not None:
            request.password = user.password
        elif user.password_hash is not None:
            request.password_hash = user.password_hash
        response = call(self._stub.CreateUser, request, timeout=self._timeout)
        return serial.user_from_pb(response.user)

    def update_user(self, *, user_id: int, update: UserUpdate) -> User:
        request = pb.UpdateUserRequest(
            user_id=user_id,
            name=update.name,
            email=update.email,
            is_active=update.is_active,
            avatar_type=(
                serial.avatar_to_pb(update.avatar_type) if update.avatar_type is not None else None
            ),
            avatar_url=update.avatar_url,
            is_staff=update.is_staff,
            is_superuser=update.is_superuser,
            password=update.password,
            update_mask=FieldMask(paths=update.changed_fields()),
        )
        response = call(self._stub.UpdateUser, request, timeout=self._timeout)
        return serial.user_from_pb(response.user)

    def flush_nonce(self, *, user_id: int) -> None:
        call(self._stub.FlushNonce, pb.FlushNonceRequest(user_id=user_id), timeout=self._timeout)

    def verify_user_email(self, *, user_id: int, email: str) -> bool:
        request = pb.VerifyUserEmailRequest(user_id=user_id, email=email)
        return bool(call(self._stub.VerifyUserEmail, request, timeout=self._timeout).verified)

    def verify_any_email(self, *, email: str) -> bool:
        request = pb.VerifyAnyEmailRequest(email=email)
        return bool(call(self._stub.VerifyAnyEmail, request, timeout=self._timeout).verified)

    def verify_user_emails(
        self, *, user_id_emails: Sequence[UserIdEmail], only_verified: bool = False
    ) -> list[VerifyUserEmailResult]:
        request = pb.VerifyUserEmailsRequest(
            user_id_emails=[
                pb.UserIdEmail(user_id=p.user_id, email=p.email) for p in user_id_emails
            ],
            only_verified=only_verified,
        )
        response = call(self._stub.VerifyUserEmails, request, timeout=self._timeout)
        return [serial.verify_result_from_pb(result) for result in response.results]

    def get_first_superuser(self) -> User | None:
        request = pb.GetFirstSuperuserRequest()
        response = call(self._stub.GetFirstSuperuser, request, timeout=self._timeout)
        return serial.user_from_pb(response.user) if response.HasField("user") else None

    def add_permission(self, *, user_id: int, permission: str) -> None:
        request = pb.AddPermissionRequest(user_id=user_id, permission=permission)
        call(self._stub.AddPermission, request, timeout=self._timeout)

    def remove_permission(self, *, user_id: int, permission: str) -> None:
        request = pb.RemovePermissionRequest(user_id=user_id, permission=permission)
        call(self._stub.RemovePermission, request, timeout=self._timeout)

    def add_user_role(self, *, user_id: int, role: str) -> None:
        request = pb.AddUserRoleRequest(user_id=user_id, role=role)
        call(self._stub.AddUserRole, request, timeout=self._timeout)

    def remove_user_role(self, *, user_id: int, role: str) -> None:
        request = pb.RemoveUserRoleRequest(user_id=user_id, role=role)
        call(self._stub.RemoveUserRole, request, timeout=self._timeout)
