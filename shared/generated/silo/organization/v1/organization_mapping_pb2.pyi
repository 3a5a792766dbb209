# Generated from protos/ by `make protos`. DO NOT EDIT.
import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrganizationMapping(_message.Message):
    __slots__ = ("organization_id", "slug", "name", "region_name", "status", "verified", "date_created")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    DATE_CREATED_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    slug: str
    name: str
    region_name: str
    status: int
    verified: bool
    date_created: _timestamp_pb2.Timestamp
    def __init__(self, organization_id: _Optional[int] = ..., slug: _Optional[str] = ..., name: _Optional[str] = ..., region_name: _Optional[str] = ..., status: _Optional[int] = ..., verified: _Optional[bool] = ..., date_created: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetRequest(_message.Message):
    __slots__ = ("organization_id",)
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    def __init__(self, organization_id: _Optional[int] = ...) -> None: ...

class GetResponse(_message.Message):
    __slots__ = ("mapping",)
    MAPPING_FIELD_NUMBER: _ClassVar[int]
    mapping: OrganizationMapping
    def __init__(self, mapping: _Optional[_Union[OrganizationMapping, _Mapping]] = ...) -> None: ...

class GetManyRequest(_message.Message):
    __slots__ = ("organization_ids",)
    ORGANIZATION_IDS_FIELD_NUMBER: _ClassVar[int]
    organization_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, organization_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class GetManyResponse(_message.Message):
    __slots__ = ("mappings",)
    MAPPINGS_FIELD_NUMBER: _ClassVar[int]
    mappings: _containers.RepeatedCompositeFieldContainer[OrganizationMapping]
    def __init__(self, mappings: _Optional[_Iterable[_Union[OrganizationMapping, _Mapping]]] = ...) -> None: ...

class GetBySlugRequest(_message.Message):
    __slots__ = ("slug",)
    SLUG_FIELD_NUMBER: _ClassVar[int]
    slug: str
    def __init__(self, slug: _Optional[str] = ...) -> None: ...

class GetBySlugResponse(_message.Message):
    __slots__ = ("mapping",)
    MAPPING_FIELD_NUMBER: _ClassVar[int]
    mapping: OrganizationMapping
    def __init__(self, mapping: _Optional[_Union[OrganizationMapping, _Mapping]] = ...) -> None: ...

class UpsertRequest(_message.Message):
    __slots__ = ("organization_id", "slug", "name", "region_name", "status", "version")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    slug: str
    name: str
    region_name: str
    status: int
    version: int
    def __init__(self, organization_id: _Optional[int] = ..., slug: _Optional[str] = ..., name: _Optional[str] = ..., region_name: _Optional[str] = ..., status: _Optional[int] = ..., version: _Optional[int] = ...) -> None: ...

class UpsertResponse(_message.Message):
    __slots__ = ("applied",)
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    applied: bool
    def __init__(self, applied: _Optional[bool] = ...) -> None: ...

class DeleteRequest(_message.Message):
    __slots__ = ("organization_id",)
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    def __init__(self, organization_id: _Optional[int] = ...) -> None: ...

class DeleteResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UpsertMemberRequest(_message.Message):
    __slots__ = ("organization_id", "organizationmember_id", "user_id", "email", "role", "inviter_id", "version")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATIONMEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    INVITER_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    organizationmember_id: int
    user_id: int
    email: str
    role: str
    inviter_id: int
    version: int
    def __init__(self, organization_id: _Optional[int] = ..., organizationmember_id: _Optional[int] = ..., user_id: _Optional[int] = ..., email: _Optional[str] = ..., role: _Optional[str] = ..., inviter_id: _Optional[int] = ..., version: _Optional[int] = ...) -> None: ...

class UpsertMemberResponse(_message.Message):
    __slots__ = ("applied",)
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    applied: bool
    def __init__(self, applied: _Optional[bool] = ...) -> None: ...

class DeleteMemberRequest(_message.Message):
    __slots__ = ("organization_id", "organizationmember_id", "version")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATIONMEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    organizationmember_id: int
    version: int
    def __init__(self, organization_id: _Optional[int] = ..., organizationmember_id: _Optional[int] = ..., version: _Optional[int] = ...) -> None: ...

class DeleteMemberResponse(_message.Message):
    __slots__ = ("applied",)
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    applied: bool
    def __init__(self, applied: _Optional[bool] = ...) -> None: ...
