# Generated from protos/ by `make protos`. DO NOT EDIT.
import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from shared.generated.silo.user.v1 import user_pb2 as _user_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrganizationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORGANIZATION_STATUS_UNSPECIFIED: _ClassVar[OrganizationStatus]
    ORGANIZATION_STATUS_ACTIVE: _ClassVar[OrganizationStatus]
    ORGANIZATION_STATUS_PENDING_DELETION: _ClassVar[OrganizationStatus]
    ORGANIZATION_STATUS_DELETION_IN_PROGRESS: _ClassVar[OrganizationStatus]
    ORGANIZATION_STATUS_RELOCATION_PENDING_APPROVAL: _ClassVar[OrganizationStatus]
ORGANIZATION_STATUS_UNSPECIFIED: OrganizationStatus
ORGANIZATION_STATUS_ACTIVE: OrganizationStatus
ORGANIZATION_STATUS_PENDING_DELETION: OrganizationStatus
ORGANIZATION_STATUS_DELETION_IN_PROGRESS: OrganizationStatus
ORGANIZATION_STATUS_RELOCATION_PENDING_APPROVAL: OrganizationStatus

class Organization(_message.Message):
    __slots__ = ("id", "slug", "name", "status", "default_role", "date_added", "is_test", "flags")
    ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_ROLE_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    IS_TEST_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    id: int
    slug: str
    name: str
    status: OrganizationStatus
    default_role: str
    date_added: _timestamp_pb2.Timestamp
    is_test: bool
    flags: int
    def __init__(self, id: _Optional[int] = ..., slug: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[_Union[OrganizationStatus, str]] = ..., default_role: _Optional[str] = ..., date_added: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., is_test: _Optional[bool] = ..., flags: _Optional[int] = ...) -> None: ...

class OrganizationMember(_message.Message):
    __slots__ = ("id", "organization_id", "user_id", "email", "role", "user_is_active", "user_email", "inviter_id", "date_added", "user")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    USER_IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    USER_EMAIL_FIELD_NUMBER: _ClassVar[int]
    INVITER_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    id: int
    organization_id: int
    user_id: int
    email: str
    role: str
    user_is_active: bool
    user_email: str
    inviter_id: int
    date_added: _timestamp_pb2.Timestamp
    user: _user_pb2.User
    def __init__(self, id: _Optional[int] = ..., organization_id: _Optional[int] = ..., user_id: _Optional[int] = ..., email: _Optional[str] = ..., role: _Optional[str] = ..., user_is_active: _Optional[bool] = ..., user_email: _Optional[str] = ..., inviter_id: _Optional[int] = ..., date_added: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., user: _Optional[_Union[_user_pb2.User, _Mapping]] = ...) -> None: ...

class Team(_message.Message):
    __slots__ = ("id", "organization_id", "slug", "name")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    id: int
    organization_id: int
    slug: str
    name: str
    def __init__(self, id: _Optional[int] = ..., organization_id: _Optional[int] = ..., slug: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class CreateOrganizationRequest(_message.Message):
    __slots__ = ("slug", "name", "owner_user_id", "default_role")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_ROLE_FIELD_NUMBER: _ClassVar[int]
    slug: str
    name: str
    owner_user_id: int
    default_role: str
    def __init__(self, slug: _Optional[str] = ..., name: _Optional[str] = ..., owner_user_id: _Optional[int] = ..., default_role: _Optional[str] = ...) -> None: ...

class CreateOrganizationResponse(_message.Message):
    __slots__ = ("organization",)
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    organization: Organization
    def __init__(self, organization: _Optional[_Union[Organization, _Mapping]] = ...) -> None: ...

class GetOrganizationByIDRequest(_message.Message):
    __slots__ = ("organization_id",)
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    def __init__(self, organization_id: _Optional[int] = ...) -> None: ...

class GetOrganizationByIDResponse(_message.Message):
    __slots__ = ("organization",)
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    organization: Organization
    def __init__(self, organization: _Optional[_Union[Organization, _Mapping]] = ...) -> None: ...

class GetOrganizationBySlugRequest(_message.Message):
    __slots__ = ("slug",)
    SLUG_FIELD_NUMBER: _ClassVar[int]
    slug: str
    def __init__(self, slug: _Optional[str] = ...) -> None: ...

class GetOrganizationBySlugResponse(_message.Message):
    __slots__ = ("organization",)
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    organization: Organization
    def __init__(self, organization: _Optional[_Union[Organization, _Mapping]] = ...) -> None: ...

class GetDefaultOrganizationRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetDefaultOrganizationResponse(_message.Message):
    __slots__ = ("organization",)
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    organization: Organization
    def __init__(self, organization: _Optional[_Union[Organization, _Mapping]] = ...) -> None: ...

class UpdateOrganizationSlugRequest(_message.Message):
    __slots__ = ("organization_id", "slug")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    slug: str
    def __init__(self, organization_id: _Optional[int] = ..., slug: _Optional[str] = ...) -> None: ...

class UpdateOrganizationSlugResponse(_message.Message):
    __slots__ = ("organization",)
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    organization: Organization
    def __init__(self, organization: _Optional[_Union[Organization, _Mapping]] = ...) -> None: ...

class AddOrganizationMemberRequest(_message.Message):
    __slots__ = ("organization_id", "user_id", "email", "role", "inviter_id")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    INVITER_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    user_id: int
    email: str
    role: str
    inviter_id: int
    def __init__(self, organization_id: _Optional[int] = ..., user_id: _Optional[int] = ..., email: _Optional[str] = ..., role: _Optional[str] = ..., inviter_id: _Optional[int] = ...) -> None: ...

class AddOrganizationMemberResponse(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: OrganizationMember
    def __init__(self, member: _Optional[_Union[OrganizationMember, _Mapping]] = ...) -> None: ...

class GetSingleTeamRequest(_message.Message):
    __slots__ = ("organization_id",)
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    def __init__(self, organization_id: _Optional[int] = ...) -> None: ...

class GetSingleTeamResponse(_message.Message):
    __slots__ = ("team",)
    TEAM_FIELD_NUMBER: _ClassVar[int]
    team: Team
    def __init__(self, team: _Optional[_Union[Team, _Mapping]] = ...) -> None: ...

class AddTeamMemberRequest(_message.Message):
    __slots__ = ("organization_id", "team_id", "member_id")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    team_id: int
    member_id: int
    def __init__(self, organization_id: _Optional[int] = ..., team_id: _Optional[int] = ..., member_id: _Optional[int] = ...) -> None: ...

class AddTeamMemberResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListMembersRequest(_message.Message):
    __slots__ = ("organization_id",)
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    def __init__(self, organization_id: _Optional[int] = ...) -> None: ...

class ListMembersResponse(_message.Message):
    __slots__ = ("members",)
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedCompositeFieldContainer[OrganizationMember]
    def __init__(self, members: _Optional[_Iterable[_Union[OrganizationMember, _Mapping]]] = ...) -> None: ...

class CheckMembershipByIDRequest(_message.Message):
    __slots__ = ("organization_id", "user_id")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    user_id: int
    def __init__(self, organization_id: _Optional[int] = ..., user_id: _Optional[int] = ...) -> None: ...

class CheckMembershipByIDResponse(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: OrganizationMember
    def __init__(self, member: _Optional[_Union[OrganizationMember, _Mapping]] = ...) -> None: ...

class CheckMembershipByEmailRequest(_message.Message):
    __slots__ = ("organization_id", "email")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    email: str
    def __init__(self, organization_id: _Optional[int] = ..., email: _Optional[str] = ...) -> None: ...

class CheckMembershipByEmailResponse(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: OrganizationMember
    def __init__(self, member: _Optional[_Union[OrganizationMember, _Mapping]] = ...) -> None: ...

class DeleteOrganizationMemberRequest(_message.Message):
    __slots__ = ("organization_id", "member_id")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    member_id: int
    def __init__(self, organization_id: _Optional[int] = ..., member_id: _Optional[int] = ...) -> None: ...

class DeleteOrganizationMemberResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UpdateRegionUserRequest(_message.Message):
    __slots__ = ("user_id", "is_active", "email")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    is_active: bool
    email: str
    def __init__(self, user_id: _Optional[int] = ..., is_active: _Optional[bool] = ..., email: _Optional[str] = ...) -> None: ...

class UpdateRegionUserResponse(_message.Message):
    __slots__ = ("updated",)
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    updated: int
    def __init__(self, updated: _Optional[int] = ...) -> None: ...

class RemoveUserRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class RemoveUserResponse(_message.Message):
    __slots__ = ("removed",)
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    removed: int
    def __init__(self, removed: _Optional[int] = ...) -> None: ...

class UpsertReplicaRequest(_message.Message):
    __slots__ = ("organization_slug_reservation_id", "slug", "organization_id", "user_id", "region_name", "reservation_type")
    ORGANIZATION_SLUG_RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    organization_slug_reservation_id: int
    slug: str
    organization_id: int
    user_id: int
    region_name: str
    reservation_type: int
    def __init__(self, organization_slug_reservation_id: _Optional[int] = ..., slug: _Optional[str] = ..., organization_id: _Optional[int] = ..., user_id: _Optional[int] = ..., region_name: _Optional[str] = ..., reservation_type: _Optional[int] = ...) -> None: ...

class UpsertReplicaResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteReplicaRequest(_message.Message):
    __slots__ = ("organization_slug_reservation_id",)
    ORGANIZATION_SLUG_RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    organization_slug_reservation_id: int
    def __init__(self, organization_slug_reservation_id: _Optional[int] = ...) -> None: ...

class DeleteReplicaResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RenameFromReservationRequest(_message.Message):
    __slots__ = ("organization_slug_reservation_id", "slug", "organization_id", "user_id", "region_name", "reservation_type")
    ORGANIZATION_SLUG_RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    organization_slug_reservation_id: int
    slug: str
    organization_id: int
    user_id: int
    region_name: str
    reservation_type: int
    def __init__(self, organization_slug_reservation_id: _Optional[int] = ..., slug: _Optional[str] = ..., organization_id: _Optional[int] = ..., user_id: _Optional[int] = ..., region_name: _Optional[str] = ..., reservation_type: _Optional[int] = ...) -> None: ...

class RenameFromReservationResponse(_message.Message):
    __slots__ = ("renamed",)
    RENAMED_FIELD_NUMBER: _ClassVar[int]
    renamed: bool
    def __init__(self, renamed: _Optional[bool] = ...) -> None: ...
