# Generated from protos/ by `make protos`. DO NOT EDIT.
import datetime

from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AvatarType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AVATAR_TYPE_UNSPECIFIED: _ClassVar[AvatarType]
    AVATAR_TYPE_LETTER_AVATAR: _ClassVar[AvatarType]
    AVATAR_TYPE_UPLOAD: _ClassVar[AvatarType]
    AVATAR_TYPE_GRAVATAR: _ClassVar[AvatarType]
AVATAR_TYPE_UNSPECIFIED: AvatarType
AVATAR_TYPE_LETTER_AVATAR: AvatarType
AVATAR_TYPE_UPLOAD: AvatarType
AVATAR_TYPE_GRAVATAR: AvatarType

class UserEmail(_message.Message):
    __slots__ = ("email", "is_verified")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    IS_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    email: str
    is_verified: bool
    def __init__(self, email: _Optional[str] = ..., is_verified: _Optional[bool] = ...) -> None: ...

class User(_message.Message):
    __slots__ = ("id", "username", "email", "name", "is_active", "is_staff", "is_superuser", "is_managed", "is_unclaimed", "is_password_expired", "password_usable", "date_joined", "last_login", "last_active", "flags", "avatar_type", "avatar_url", "emails", "useremails", "permissions", "roles")
    ID_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_STAFF_FIELD_NUMBER: _ClassVar[int]
    IS_SUPERUSER_FIELD_NUMBER: _ClassVar[int]
    IS_MANAGED_FIELD_NUMBER: _ClassVar[int]
    IS_UNCLAIMED_FIELD_NUMBER: _ClassVar[int]
    IS_PASSWORD_EXPIRED_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_USABLE_FIELD_NUMBER: _ClassVar[int]
    DATE_JOINED_FIELD_NUMBER: _ClassVar[int]
    LAST_LOGIN_FIELD_NUMBER: _ClassVar[int]
    LAST_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    AVATAR_TYPE_FIELD_NUMBER: _ClassVar[int]
    AVATAR_URL_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    USEREMAILS_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
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
    date_joined: _timestamp_pb2.Timestamp
    last_login: _timestamp_pb2.Timestamp
    last_active: _timestamp_pb2.Timestamp
    flags: int
    avatar_type: AvatarType
    avatar_url: str
    emails: _containers.RepeatedScalarFieldContainer[str]
    useremails: _containers.RepeatedCompositeFieldContainer[UserEmail]
    permissions: _containers.RepeatedScalarFieldContainer[str]
    roles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., username: _Optional[str] = ..., email: _Optional[str] = ..., name: _Optional[str] = ..., is_active: _Optional[bool] = ..., is_staff: _Optional[bool] = ..., is_superuser: _Optional[bool] = ..., is_managed: _Optional[bool] = ..., is_unclaimed: _Optional[bool] = ..., is_password_expired: _Optional[bool] = ..., password_usable: _Optional[bool] = ..., date_joined: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_login: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_active: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., flags: _Optional[int] = ..., avatar_type: _Optional[_Union[AvatarType, str]] = ..., avatar_url: _Optional[str] = ..., emails: _Optional[_Iterable[str]] = ..., useremails: _Optional[_Iterable[_Union[UserEmail, _Mapping]]] = ..., permissions: _Optional[_Iterable[str]] = ..., roles: _Optional[_Iterable[str]] = ...) -> None: ...

class GetUserRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class GetUserResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class GetManyByIDRequest(_message.Message):
    __slots__ = ("user_ids",)
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, user_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class GetManyByIDResponse(_message.Message):
    __slots__ = ("users",)
    USERS_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[User]
    def __init__(self, users: _Optional[_Iterable[_Union[User, _Mapping]]] = ...) -> None: ...

class UserFilter(_message.Message):
    __slots__ = ("user_ids", "emails", "organization_id", "is_active", "email_verified", "query", "has_user_ids", "has_emails", "authenticator_types", "has_authenticator_types")
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    HAS_USER_IDS_FIELD_NUMBER: _ClassVar[int]
    HAS_EMAILS_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATOR_TYPES_FIELD_NUMBER: _ClassVar[int]
    HAS_AUTHENTICATOR_TYPES_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[int]
    emails: _containers.RepeatedScalarFieldContainer[str]
    organization_id: int
    is_active: bool
    email_verified: bool
    query: str
    has_user_ids: bool
    has_emails: bool
    authenticator_types: _containers.RepeatedScalarFieldContainer[int]
    has_authenticator_types: bool
    def __init__(self, user_ids: _Optional[_Iterable[int]] = ..., emails: _Optional[_Iterable[str]] = ..., organization_id: _Optional[int] = ..., is_active: _Optional[bool] = ..., email_verified: _Optional[bool] = ..., query: _Optional[str] = ..., has_user_ids: _Optional[bool] = ..., has_emails: _Optional[bool] = ..., authenticator_types: _Optional[_Iterable[int]] = ..., has_authenticator_types: _Optional[bool] = ...) -> None: ...

class GetManyRequest(_message.Message):
    __slots__ = ("filter", "page_size", "page_token")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    filter: UserFilter
    page_size: int
    page_token: str
    def __init__(self, filter: _Optional[_Union[UserFilter, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class GetManyResponse(_message.Message):
    __slots__ = ("users", "next_page_token")
    USERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[User]
    next_page_token: str
    def __init__(self, users: _Optional[_Iterable[_Union[User, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetManyByEmailRequest(_message.Message):
    __slots__ = ("emails", "is_active", "is_verified", "organization_id")
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    emails: _containers.RepeatedScalarFieldContainer[str]
    is_active: bool
    is_verified: bool
    organization_id: int
    def __init__(self, emails: _Optional[_Iterable[str]] = ..., is_active: _Optional[bool] = ..., is_verified: _Optional[bool] = ..., organization_id: _Optional[int] = ...) -> None: ...

class GetManyByEmailResponse(_message.Message):
    __slots__ = ("users",)
    USERS_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[User]
    def __init__(self, users: _Optional[_Iterable[_Union[User, _Mapping]]] = ...) -> None: ...

class GetByUsernameRequest(_message.Message):
    __slots__ = ("username", "with_valid_password", "is_active")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    WITH_VALID_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    username: str
    with_valid_password: bool
    is_active: bool
    def __init__(self, username: _Optional[str] = ..., with_valid_password: _Optional[bool] = ..., is_active: _Optional[bool] = ...) -> None: ...

class GetByUsernameResponse(_message.Message):
    __slots__ = ("users",)
    USERS_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[User]
    def __init__(self, users: _Optional[_Iterable[_Union[User, _Mapping]]] = ...) -> None: ...

class GetExistingUsernamesRequest(_message.Message):
    __slots__ = ("usernames",)
    USERNAMES_FIELD_NUMBER: _ClassVar[int]
    usernames: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, usernames: _Optional[_Iterable[str]] = ...) -> None: ...

class GetExistingUsernamesResponse(_message.Message):
    __slots__ = ("usernames",)
    USERNAMES_FIELD_NUMBER: _ClassVar[int]
    usernames: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, usernames: _Optional[_Iterable[str]] = ...) -> None: ...

class OrganizationSummary(_message.Message):
    __slots__ = ("organization_id", "slug", "name", "region_name", "status")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    slug: str
    name: str
    region_name: str
    status: int
    def __init__(self, organization_id: _Optional[int] = ..., slug: _Optional[str] = ..., name: _Optional[str] = ..., region_name: _Optional[str] = ..., status: _Optional[int] = ...) -> None: ...

class GetOrganizationsRequest(_message.Message):
    __slots__ = ("user_id", "only_visible")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ONLY_VISIBLE_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    only_visible: bool
    def __init__(self, user_id: _Optional[int] = ..., only_visible: _Optional[bool] = ...) -> None: ...

class GetOrganizationsResponse(_message.Message):
    __slots__ = ("organizations",)
    ORGANIZATIONS_FIELD_NUMBER: _ClassVar[int]
    organizations: _containers.RepeatedCompositeFieldContainer[OrganizationSummary]
    def __init__(self, organizations: _Optional[_Iterable[_Union[OrganizationSummary, _Mapping]]] = ...) -> None: ...

class GetMemberRegionNamesRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class GetMemberRegionNamesResponse(_message.Message):
    __slots__ = ("region_names",)
    REGION_NAMES_FIELD_NUMBER: _ClassVar[int]
    region_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, region_names: _Optional[_Iterable[str]] = ...) -> None: ...

class GetOrCreateByEmailRequest(_message.Message):
    __slots__ = ("email", "ident", "referrer")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    IDENT_FIELD_NUMBER: _ClassVar[int]
    REFERRER_FIELD_NUMBER: _ClassVar[int]
    email: str
    ident: str
    referrer: str
    def __init__(self, email: _Optional[str] = ..., ident: _Optional[str] = ..., referrer: _Optional[str] = ...) -> None: ...

class GetOrCreateByEmailResponse(_message.Message):
    __slots__ = ("user", "created")
    USER_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    user: User
    created: bool
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class GetUserByEmailRequest(_message.Message):
    __slots__ = ("email", "ident")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    IDENT_FIELD_NUMBER: _ClassVar[int]
    email: str
    ident: str
    def __init__(self, email: _Optional[str] = ..., ident: _Optional[str] = ...) -> None: ...

class GetUserByEmailResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class CreateUserRequest(_message.Message):
    __slots__ = ("username", "email", "name", "password", "password_hash", "is_active", "is_staff", "is_superuser", "is_managed", "is_unclaimed")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_HASH_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_STAFF_FIELD_NUMBER: _ClassVar[int]
    IS_SUPERUSER_FIELD_NUMBER: _ClassVar[int]
    IS_MANAGED_FIELD_NUMBER: _ClassVar[int]
    IS_UNCLAIMED_FIELD_NUMBER: _ClassVar[int]
    username: str
    email: str
    name: str
    password: str
    password_hash: str
    is_active: bool
    is_staff: bool
    is_superuser: bool
    is_managed: bool
    is_unclaimed: bool
    def __init__(self, username: _Optional[str] = ..., email: _Optional[str] = ..., name: _Optional[str] = ..., password: _Optional[str] = ..., password_hash: _Optional[str] = ..., is_active: _Optional[bool] = ..., is_staff: _Optional[bool] = ..., is_superuser: _Optional[bool] = ..., is_managed: _Optional[bool] = ..., is_unclaimed: _Optional[bool] = ...) -> None: ...

class CreateUserResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class UpdateUserRequest(_message.Message):
    __slots__ = ("user_id", "name", "email", "is_active", "avatar_type", "avatar_url", "update_mask", "is_staff", "is_superuser", "password")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    AVATAR_TYPE_FIELD_NUMBER: _ClassVar[int]
    AVATAR_URL_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    IS_STAFF_FIELD_NUMBER: _ClassVar[int]
    IS_SUPERUSER_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    name: str
    email: str
    is_active: bool
    avatar_type: AvatarType
    avatar_url: str
    update_mask: _field_mask_pb2.FieldMask
    is_staff: bool
    is_superuser: bool
    password: str
    def __init__(self, user_id: _Optional[int] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., is_active: _Optional[bool] = ..., avatar_type: _Optional[_Union[AvatarType, str]] = ..., avatar_url: _Optional[str] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., is_staff: _Optional[bool] = ..., is_superuser: _Optional[bool] = ..., password: _Optional[str] = ...) -> None: ...

class UpdateUserResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class FlushNonceRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class FlushNonceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class VerifyUserEmailRequest(_message.Message):
    __slots__ = ("user_id", "email")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    email: str
    def __init__(self, user_id: _Optional[int] = ..., email: _Optional[str] = ...) -> None: ...

class VerifyUserEmailResponse(_message.Message):
    __slots__ = ("verified",)
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    verified: bool
    def __init__(self, verified: _Optional[bool] = ...) -> None: ...

class VerifyAnyEmailRequest(_message.Message):
    __slots__ = ("email",)
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    email: str
    def __init__(self, email: _Optional[str] = ...) -> None: ...

class VerifyAnyEmailResponse(_message.Message):
    __slots__ = ("verified",)
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    verified: bool
    def __init__(self, verified: _Optional[bool] = ...) -> None: ...

class UserIdEmail(_message.Message):
    __slots__ = ("user_id", "email")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    email: str
    def __init__(self, user_id: _Optional[int] = ..., email: _Optional[str] = ...) -> None: ...

class VerifyUserEmailsRequest(_message.Message):
    __slots__ = ("user_id_emails", "only_verified")
    USER_ID_EMAILS_FIELD_NUMBER: _ClassVar[int]
    ONLY_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    user_id_emails: _containers.RepeatedCompositeFieldContainer[UserIdEmail]
    only_verified: bool
    def __init__(self, user_id_emails: _Optional[_Iterable[_Union[UserIdEmail, _Mapping]]] = ..., only_verified: _Optional[bool] = ...) -> None: ...

class VerifyUserEmailResult(_message.Message):
    __slots__ = ("user_id", "email", "exists")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    email: str
    exists: bool
    def __init__(self, user_id: _Optional[int] = ..., email: _Optional[str] = ..., exists: _Optional[bool] = ...) -> None: ...

class VerifyUserEmailsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[VerifyUserEmailResult]
    def __init__(self, results: _Optional[_Iterable[_Union[VerifyUserEmailResult, _Mapping]]] = ...) -> None: ...

class GetFirstSuperuserRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetFirstSuperuserResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class AddPermissionRequest(_message.Message):
    __slots__ = ("user_id", "permission")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PERMISSION_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    permission: str
    def __init__(self, user_id: _Optional[int] = ..., permission: _Optional[str] = ...) -> None: ...

class AddPermissionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RemovePermissionRequest(_message.Message):
    __slots__ = ("user_id", "permission")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PERMISSION_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    permission: str
    def __init__(self, user_id: _Optional[int] = ..., permission: _Optional[str] = ...) -> None: ...

class RemovePermissionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AddUserRoleRequest(_message.Message):
    __slots__ = ("user_id", "role")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    role: str
    def __init__(self, user_id: _Optional[int] = ..., role: _Optional[str] = ...) -> None: ...

class AddUserRoleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RemoveUserRoleRequest(_message.Message):
    __slots__ = ("user_id", "role")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    role: str
    def __init__(self, user_id: _Optional[int] = ..., role: _Optional[str] = ...) -> None: ...

class RemoveUserRoleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetManyIDsRequest(_message.Message):
    __slots__ = ("filter",)
    FILTER_FIELD_NUMBER: _ClassVar[int]
    filter: UserFilter
    def __init__(self, filter: _Optional[_Union[UserFilter, _Mapping]] = ...) -> None: ...

class GetManyIDsResponse(_message.Message):
    __slots__ = ("user_ids",)
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, user_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class UserProfile(_message.Message):
    __slots__ = ("id", "username", "email", "name", "display_name", "label", "is_active", "is_staff", "is_superuser", "is_unclaimed", "is_password_expired", "password_usable", "last_active")
    ID_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_STAFF_FIELD_NUMBER: _ClassVar[int]
    IS_SUPERUSER_FIELD_NUMBER: _ClassVar[int]
    IS_UNCLAIMED_FIELD_NUMBER: _ClassVar[int]
    IS_PASSWORD_EXPIRED_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_USABLE_FIELD_NUMBER: _ClassVar[int]
    LAST_ACTIVE_FIELD_NUMBER: _ClassVar[int]
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
    last_active: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., username: _Optional[str] = ..., email: _Optional[str] = ..., name: _Optional[str] = ..., display_name: _Optional[str] = ..., label: _Optional[str] = ..., is_active: _Optional[bool] = ..., is_staff: _Optional[bool] = ..., is_superuser: _Optional[bool] = ..., is_unclaimed: _Optional[bool] = ..., is_password_expired: _Optional[bool] = ..., password_usable: _Optional[bool] = ..., last_active: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetManyProfilesRequest(_message.Message):
    __slots__ = ("filter",)
    FILTER_FIELD_NUMBER: _ClassVar[int]
    filter: UserFilter
    def __init__(self, filter: _Optional[_Union[UserFilter, _Mapping]] = ...) -> None: ...

class GetManyProfilesResponse(_message.Message):
    __slots__ = ("profiles",)
    PROFILES_FIELD_NUMBER: _ClassVar[int]
    profiles: _containers.RepeatedCompositeFieldContainer[UserProfile]
    def __init__(self, profiles: _Optional[_Iterable[_Union[UserProfile, _Mapping]]] = ...) -> None: ...

class SerializeManyRequest(_message.Message):
    __slots__ = ("filter", "as_user_id")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    AS_USER_ID_FIELD_NUMBER: _ClassVar[int]
    filter: UserFilter
    as_user_id: int
    def __init__(self, filter: _Optional[_Union[UserFilter, _Mapping]] = ..., as_user_id: _Optional[int] = ...) -> None: ...

class SerializeManyResponse(_message.Message):
    __slots__ = ("users_json",)
    USERS_JSON_FIELD_NUMBER: _ClassVar[int]
    users_json: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, users_json: _Optional[_Iterable[str]] = ...) -> None: ...

class UserAvatar(_message.Message):
    __slots__ = ("id", "file_id", "ident", "avatar_type")
    ID_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    IDENT_FIELD_NUMBER: _ClassVar[int]
    AVATAR_TYPE_FIELD_NUMBER: _ClassVar[int]
    id: int
    file_id: int
    ident: str
    avatar_type: str
    def __init__(self, id: _Optional[int] = ..., file_id: _Optional[int] = ..., ident: _Optional[str] = ..., avatar_type: _Optional[str] = ...) -> None: ...

class GetUserAvatarRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class GetUserAvatarResponse(_message.Message):
    __slots__ = ("avatar",)
    AVATAR_FIELD_NUMBER: _ClassVar[int]
    avatar: UserAvatar
    def __init__(self, avatar: _Optional[_Union[UserAvatar, _Mapping]] = ...) -> None: ...

class TriggerUserConsentEmailIfApplicableRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class TriggerUserConsentEmailIfApplicableResponse(_message.Message):
    __slots__ = ("requested",)
    REQUESTED_FIELD_NUMBER: _ClassVar[int]
    requested: int
    def __init__(self, requested: _Optional[int] = ...) -> None: ...

class GetUserBySocialAuthRequest(_message.Message):
    __slots__ = ("organization_id", "provider", "external_id")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    provider: str
    external_id: str
    def __init__(self, organization_id: _Optional[int] = ..., provider: _Optional[str] = ..., external_id: _Optional[str] = ...) -> None: ...

class GetUserBySocialAuthResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...
