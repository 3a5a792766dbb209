"""Serves ``silo.user.v1.UserService`` from a ``UserService`` implementation."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from shared.errors import InvalidArgument
from shared.generated.silo.user.v1 import user_pb2 as pb
from shared.generated.silo.user.v1 import user_pb2_grpc
from shared.rpc.server import Registration
from shared.services.user import serial
from shared.services.user.model import UPDATABLE_FIELDS, NewUser, UserUpdate
from shared.services.user.service import UserService


def _update_from_pb(request: pb.UpdateUserRequest) -> UserUpdate:
    paths = list(request.update_mask.paths)
    unknown = sorted(set(paths) - UPDATABLE_FIELDS)
    if unknown:
        raise InvalidArgument(
            f"names fields that cannot be updated: {', '.join(unknown)}", field="update_mask"
        )
    chosen = set(paths) or {name for name in UPDATABLE_FIELDS if request.HasField(name)}
    avatar = None
    if "avatar_type" in chosen:
        avatar = serial.avatar_from_pb(request.avatar_type)
        if avatar is None:
            raise InvalidArgument("must name an avatar type", field="avatar_type")
    return UserUpdate(
        name=request.name if "name" in chosen else None,
        email=request.email if "email" in chosen else None,
        is_active=request.is_active if "is_active" in chosen else None,
        avatar_type=avatar,
        avatar_url=request.avatar_url if "avatar_url" in chosen else None,
        is_staff=request.is_staff if "is_staff" in chosen else None,
        is_superuser=request.is_superuser if "is_superuser" in chosen else None,
        password=request.password if "password" in chosen else None,
    )


def _optional_bool(request: object, name: str, default: bool | None) -> bool | None:
    has_field = getattr(request, "HasField")  # noqa: B009 - protobuf messages only
    return bool(getattr(request, name)) if has_field(name) else default


class UserServicer(user_pb2_grpc.UserServiceServicer):
    """Adapts the wire API to a ``UserService``; domain errors become statuses in the
    interceptor chain."""

    def __init__(self, service: UserService) -> None:
        self._service = service

    def GetUser(
        self, request: pb.GetUserRequest, context: grpc.ServicerContext
    ) -> pb.GetUserResponse:
        return pb.GetUserResponse(
            user=serial.user_to_pb(self._service.get_user(user_id=request.user_id))
        )

    def GetManyByID(
        self, request: pb.GetManyByIDRequest, context: grpc.ServicerContext
    ) -> pb.GetManyByIDResponse:
        users = self._service.get_many_by_id(user_ids=list(request.user_ids))
        return pb.GetManyByIDResponse(users=[serial.user_to_pb(user) for user in users])

    def GetMany(
        self, request: pb.GetManyRequest, context: grpc.ServicerContext
    ) -> pb.GetManyResponse:
        page = self._service.get_many(
            filter=serial.filter_from_pb(request.filter),
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return pb.GetManyResponse(
            users=[serial.user_to_pb(user) for user in page.users],
            next_page_token=page.next_page_token,
        )

    def GetManyByEmail(
        self, request: pb.GetManyByEmailRequest, context: grpc.ServicerContext
    ) -> pb.GetManyByEmailResponse:
        users = self._service.get_many_by_email(
            emails=list(request.emails),
            is_active=bool(_optional_bool(request, "is_active", True)),
            is_verified=bool(_optional_bool(request, "is_verified", True)),
            organization_id=(
                request.organization_id if request.HasField("organization_id") else None
            ),
        )
        return pb.GetManyByEmailResponse(users=[serial.user_to_pb(user) for user in users])

    def GetByUsername(
        self, request: pb.GetByUsernameRequest, context: grpc.ServicerContext
    ) -> pb.GetByUsernameResponse:
        users = self._service.get_by_username(
            username=request.username,
            with_valid_password=bool(_optional_bool(request, "with_valid_password", True)),
            is_active=_optional_bool(request, "is_active", None),
        )
        return pb.GetByUsernameResponse(users=[serial.user_to_pb(user) for user in users])

    def GetExistingUsernames(
        self, request: pb.GetExistingUsernamesRequest, context: grpc.ServicerContext
    ) -> pb.GetExistingUsernamesResponse:
        names = self._service.get_existing_usernames(usernames=list(request.usernames))
        return pb.GetExistingUsernamesResponse(usernames=names)

    def GetOrganizations(
        self, request: pb.GetOrganizationsRequest, context: grpc.ServicerContext
    ) -> pb.GetOrganizationsResponse:
        organizations = self._service.get_organizations(
            user_id=request.user_id, only_visible=request.only_visible
        )
        return pb.GetOrganizationsResponse(
            organizations=[serial.organization_to_pb(org) for org in organizations]
        )

    def GetMemberRegionNames(
        self, request: pb.GetMemberRegionNamesRequest, context: grpc.ServicerContext
    ) -> pb.GetMemberRegionNamesResponse:
        names = self._service.get_member_region_names(user_id=request.user_id)
        return pb.GetMemberRegionNamesResponse(region_names=names)

    def GetOrCreateByEmail(
        self, request: pb.GetOrCreateByEmailRequest, context: grpc.ServicerContext
    ) -> pb.GetOrCreateByEmailResponse:
        result = self._service.get_or_create_by_email(
            email=request.email, ident=request.ident or None, referrer=request.referrer or None
        )
        return pb.GetOrCreateByEmailResponse(
            user=serial.user_to_pb(result.user), created=result.created
        )

    def GetUserByEmail(
        self, request: pb.GetUserByEmailRequest, context: grpc.ServicerContext
    ) -> pb.GetUserByEmailResponse:
        user = self._service.get_user_by_email(email=request.email, ident=request.ident or None)
        return pb.GetUserByEmailResponse(user=serial.user_to_pb(user) if user else None)

    def CreateUser(
        self, request: pb.CreateUserRequest, context: grpc.ServicerContext
    ) -> pb.CreateUserResponse:
        credential = request.WhichOneof("credential")
        user = self._service.create_user(
            user=NewUser(
                username=request.username,
                email=request.email,
                name=request.name,
                password=request.password if credential == "password" else None,
                password_hash=request.password_hash if credential == "password_hash" else None,
                is_active=bool(_optional_bool(request, "is_active", True)),
                is_staff=request.is_staff,
                is_superuser=request.is_superuser,
                is_managed=request.is_managed,
                is_unclaimed=request.is_unclaimed,
            )
        )
        return pb.CreateUserResponse(user=serial.user_to_pb(user))

    def UpdateUser(
        self, request: pb.UpdateUserRequest, context: grpc.ServicerContext
    ) -> pb.UpdateUserResponse:
        user = self._service.update_user(user_id=request.user_id, update=_update_from_pb(request))
        return pb.UpdateUserResponse(user=serial.user_to_pb(user))

    def FlushNonce(
        self, request: pb.FlushNonceRequest, context: grpc.ServicerContext
    ) -> pb.FlushNonceResponse:
        self._service.flush_nonce(user_id=request.user_id)
        return pb.FlushNonceResponse()

    def VerifyUserEmail(
        self, request: pb.VerifyUserEmailRequest, context: grpc.ServicerContext
    ) -> pb.VerifyUserEmailResponse:
        verified = self._service.verify_user_email(user_id=request.user_id, email=request.email)
        return pb.VerifyUserEmailResponse(verified=verified)

    def VerifyAnyEmail(
        self, request: pb.VerifyAnyEmailRequest, context: grpc.ServicerContext
    ) -> pb.VerifyAnyEmailResponse:
        return pb.VerifyAnyEmailResponse(
            verified=self._service.verify_any_email(email=request.email)
        )

    def VerifyUserEmails(
        self, request: pb.VerifyUserEmailsRequest, context: grpc.ServicerContext
    ) -> pb.VerifyUserEmailsResponse:
        results = self._service.verify_user_emails(
            user_id_emails=[serial.user_id_email_from_pb(p) for p in request.user_id_emails],
            only_verified=request.only_verified,
        )
        return pb.VerifyUserEmailsResponse(
            results=[serial.verify_result_to_pb(result) for result in results]
        )

    def GetFirstSuperuser(
        self, request: pb.GetFirstSuperuserRequest, context: grpc.ServicerContext
    ) -> pb.GetFirstSuperuserResponse:
        user = self._service.get_first_superuser()
        return pb.GetFirstSuperuserResponse(user=serial.user_to_pb(user) if user else None)

    def AddPermission(
        self, request: pb.AddPermissionRequest, context: grpc.ServicerContext
    ) -> pb.AddPermissionResponse:
        self._service.add_permission(user_id=request.user_id, permission=request.permission)
        return pb.AddPermissionResponse()

    def RemovePermission(
        self, request: pb.RemovePermissionRequest, context: grpc.ServicerContext
    ) -> pb.RemovePermissionResponse:
        self._service.remove_permission(user_id=request.user_id, permission=request.permission)
        return pb.RemovePermissionResponse()

    def AddUserRole(
        self, request: pb.AddUserRoleRequest, context: grpc.ServicerContext
    ) -> pb.AddUserRoleResponse:
        self._service.add_user_role(user_id=request.user_id, role=request.role)
        return pb.AddUserRoleResponse()

    def RemoveUserRole(
        self, request: pb.RemoveUserRoleRequest, context: grpc.ServicerContext
    ) -> pb.RemoveUserRoleResponse:
        self._service.remove_user_role(user_id=request.user_id, role=request.role)
        return pb.RemoveUserRoleResponse()


def registration(service: UserService) -> Registration:
    """A server registration for the user service."""

    def register(server: grpc.Server) -> Sequence[str]:
        user_pb2_grpc.add_UserServiceServicer_to_server(UserServicer(service), server)
        return [pb.DESCRIPTOR.services_by_name["UserService"].full_name]

    return register
