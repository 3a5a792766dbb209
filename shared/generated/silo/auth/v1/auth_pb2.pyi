# Generated from protos/ by `make protos`. DO NOT EDIT.
import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from shared.generated.silo.user.v1 import user_pb2 as _user_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AuthProvider(_message.Message):
    __slots__ = ("id", "organization_id", "provider", "config_json", "date_added", "default_role", "default_global_access", "flags")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_ROLE_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_GLOBAL_ACCESS_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    id: int
    organization_id: int
    provider: str
    config_json: str
    date_added: _timestamp_pb2.Timestamp
    default_role: int
    default_global_access: bool
    flags: int
    def __init__(self, id: _Optional[int] = ..., organization_id: _Optional[int] = ..., provider: _Optional[str] = ..., config_json: _Optional[str] = ..., date_added: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., default_role: _Optional[int] = ..., default_global_access: _Optional[bool] = ..., flags: _Optional[int] = ...) -> None: ...

class AuthIdentity(_message.Message):
    __slots__ = ("id", "user_id", "auth_provider_id", "ident", "data_json", "date_added", "last_verified")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AUTH_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    IDENT_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    LAST_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    id: int
    user_id: int
    auth_provider_id: int
    ident: str
    data_json: str
    date_added: _timestamp_pb2.Timestamp
    last_verified: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., user_id: _Optional[int] = ..., auth_provider_id: _Optional[int] = ..., ident: _Optional[str] = ..., data_json: _Optional[str] = ..., date_added: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_verified: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateAuthProviderRequest(_message.Message):
    __slots__ = ("organization_id", "provider", "config_json")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    provider: str
    config_json: str
    def __init__(self, organization_id: _Optional[int] = ..., provider: _Optional[str] = ..., config_json: _Optional[str] = ...) -> None: ...

class CreateAuthProviderResponse(_message.Message):
    __slots__ = ("auth_provider",)
    AUTH_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    auth_provider: AuthProvider
    def __init__(self, auth_provider: _Optional[_Union[AuthProvider, _Mapping]] = ...) -> None: ...

class GetAuthProviderRequest(_message.Message):
    __slots__ = ("organization_id",)
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    def __init__(self, organization_id: _Optional[int] = ...) -> None: ...

class GetAuthProviderResponse(_message.Message):
    __slots__ = ("auth_provider",)
    AUTH_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    auth_provider: AuthProvider
    def __init__(self, auth_provider: _Optional[_Union[AuthProvider, _Mapping]] = ...) -> None: ...

class CreateAuthIdentityRequest(_message.Message):
    __slots__ = ("auth_provider_id", "user_id", "ident", "data_json", "provider", "config_json", "equiv_email")
    AUTH_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    IDENT_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    EQUIV_EMAIL_FIELD_NUMBER: _ClassVar[int]
    auth_provider_id: int
    user_id: int
    ident: str
    data_json: str
    provider: str
    config_json: str
    equiv_email: str
    def __init__(self, auth_provider_id: _Optional[int] = ..., user_id: _Optional[int] = ..., ident: _Optional[str] = ..., data_json: _Optional[str] = ..., provider: _Optional[str] = ..., config_json: _Optional[str] = ..., equiv_email: _Optional[str] = ...) -> None: ...

class CreateAuthIdentityResponse(_message.Message):
    __slots__ = ("auth_identity",)
    AUTH_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    auth_identity: AuthIdentity
    def __init__(self, auth_identity: _Optional[_Union[AuthIdentity, _Mapping]] = ...) -> None: ...

class GetAuthIdentitiesRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class GetAuthIdentitiesResponse(_message.Message):
    __slots__ = ("auth_identities",)
    AUTH_IDENTITIES_FIELD_NUMBER: _ClassVar[int]
    auth_identities: _containers.RepeatedCompositeFieldContainer[AuthIdentity]
    def __init__(self, auth_identities: _Optional[_Iterable[_Union[AuthIdentity, _Mapping]]] = ...) -> None: ...

class GetUserByIdentRequest(_message.Message):
    __slots__ = ("auth_provider_id", "ident")
    AUTH_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    IDENT_FIELD_NUMBER: _ClassVar[int]
    auth_provider_id: int
    ident: str
    def __init__(self, auth_provider_id: _Optional[int] = ..., ident: _Optional[str] = ...) -> None: ...

class GetUserByIdentResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: _user_pb2.User
    def __init__(self, user: _Optional[_Union[_user_pb2.User, _Mapping]] = ...) -> None: ...

class DeleteAuthIdentityRequest(_message.Message):
    __slots__ = ("auth_identity_id",)
    AUTH_IDENTITY_ID_FIELD_NUMBER: _ClassVar[int]
    auth_identity_id: int
    def __init__(self, auth_identity_id: _Optional[int] = ...) -> None: ...

class DeleteAuthIdentityResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetAuthProviderWithConfigRequest(_message.Message):
    __slots__ = ("provider", "config_json")
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    provider: str
    config_json: str
    def __init__(self, provider: _Optional[str] = ..., config_json: _Optional[str] = ...) -> None: ...

class GetAuthProviderWithConfigResponse(_message.Message):
    __slots__ = ("auth_provider",)
    AUTH_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    auth_provider: AuthProvider
    def __init__(self, auth_provider: _Optional[_Union[AuthProvider, _Mapping]] = ...) -> None: ...

class OrganizationAuthConfig(_message.Message):
    __slots__ = ("organization_id", "auth_provider", "has_api_key")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    AUTH_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    HAS_API_KEY_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    auth_provider: AuthProvider
    has_api_key: bool
    def __init__(self, organization_id: _Optional[int] = ..., auth_provider: _Optional[_Union[AuthProvider, _Mapping]] = ..., has_api_key: _Optional[bool] = ...) -> None: ...

class GetOrgAuthConfigRequest(_message.Message):
    __slots__ = ("organization_ids",)
    ORGANIZATION_IDS_FIELD_NUMBER: _ClassVar[int]
    organization_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, organization_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class GetOrgAuthConfigResponse(_message.Message):
    __slots__ = ("configs",)
    CONFIGS_FIELD_NUMBER: _ClassVar[int]
    configs: _containers.RepeatedCompositeFieldContainer[OrganizationAuthConfig]
    def __init__(self, configs: _Optional[_Iterable[_Union[OrganizationAuthConfig, _Mapping]]] = ...) -> None: ...

class GetOrgIDsWithSCIMRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetOrgIDsWithSCIMResponse(_message.Message):
    __slots__ = ("organization_ids",)
    ORGANIZATION_IDS_FIELD_NUMBER: _ClassVar[int]
    organization_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, organization_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class UpdateProviderConfigRequest(_message.Message):
    __slots__ = ("organization_id", "auth_provider_id", "config_json")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    AUTH_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    auth_provider_id: int
    config_json: str
    def __init__(self, organization_id: _Optional[int] = ..., auth_provider_id: _Optional[int] = ..., config_json: _Optional[str] = ...) -> None: ...

class UpdateProviderConfigResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UpdateProviderRequest(_message.Message):
    __slots__ = ("organization_id", "auth_provider_id", "provider")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    AUTH_PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    auth_provider_id: int
    provider: str
    def __init__(self, organization_id: _Optional[int] = ..., auth_provider_id: _Optional[int] = ..., provider: _Optional[str] = ...) -> None: ...

class UpdateProviderResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DisableProviderRequest(_message.Message):
    __slots__ = ("provider_id",)
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    provider_id: int
    def __init__(self, provider_id: _Optional[int] = ...) -> None: ...

class DisableProviderResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ChangeSCIMRequest(_message.Message):
    __slots__ = ("user_id", "provider_id", "enabled", "allow_unlinked")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    ALLOW_UNLINKED_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    provider_id: int
    enabled: bool
    allow_unlinked: bool
    def __init__(self, user_id: _Optional[int] = ..., provider_id: _Optional[int] = ..., enabled: _Optional[bool] = ..., allow_unlinked: _Optional[bool] = ...) -> None: ...

class ChangeSCIMResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
