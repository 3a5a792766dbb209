# Generated from protos/ by `make protos`. DO NOT EDIT.
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class ProvisionOrganizationRequest(_message.Message):
    __slots__ = ("slug", "name", "region_name", "owner_user_id")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    slug: str
    name: str
    region_name: str
    owner_user_id: int
    def __init__(self, slug: _Optional[str] = ..., name: _Optional[str] = ..., region_name: _Optional[str] = ..., owner_user_id: _Optional[int] = ...) -> None: ...

class ProvisionOrganizationResponse(_message.Message):
    __slots__ = ("organization_id",)
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    def __init__(self, organization_id: _Optional[int] = ...) -> None: ...

class ProvisionOrganizationForOwnerRequest(_message.Message):
    __slots__ = ("slug", "name", "region_name", "owner_user_id")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    slug: str
    name: str
    region_name: str
    owner_user_id: int
    def __init__(self, slug: _Optional[str] = ..., name: _Optional[str] = ..., region_name: _Optional[str] = ..., owner_user_id: _Optional[int] = ...) -> None: ...

class ProvisionOrganizationForOwnerResponse(_message.Message):
    __slots__ = ("organization_id", "owner_email")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_EMAIL_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    owner_email: str
    def __init__(self, organization_id: _Optional[int] = ..., owner_email: _Optional[str] = ...) -> None: ...

class OrganizationProvisioningServiceUpdateOrganizationSlugRequest(_message.Message):
    __slots__ = ("organization_id", "slug", "region_name", "require_exact")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_EXACT_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    slug: str
    region_name: str
    require_exact: bool
    def __init__(self, organization_id: _Optional[int] = ..., slug: _Optional[str] = ..., region_name: _Optional[str] = ..., require_exact: _Optional[bool] = ...) -> None: ...

class OrganizationProvisioningServiceUpdateOrganizationSlugResponse(_message.Message):
    __slots__ = ("previous_slug", "slug")
    PREVIOUS_SLUG_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    previous_slug: str
    slug: str
    def __init__(self, previous_slug: _Optional[str] = ..., slug: _Optional[str] = ...) -> None: ...

class BulkCreateOrganizationSlugReservationsRequest(_message.Message):
    __slots__ = ("region_name", "slug_mapping")
    class SlugMappingEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: str
        def __init__(self, key: _Optional[int] = ..., value: _Optional[str] = ...) -> None: ...
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    SLUG_MAPPING_FIELD_NUMBER: _ClassVar[int]
    region_name: str
    slug_mapping: _containers.ScalarMap[int, str]
    def __init__(self, region_name: _Optional[str] = ..., slug_mapping: _Optional[_Mapping[int, str]] = ...) -> None: ...

class BulkCreateOrganizationSlugReservationsResponse(_message.Message):
    __slots__ = ("slug_mapping",)
    class SlugMappingEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: str
        def __init__(self, key: _Optional[int] = ..., value: _Optional[str] = ...) -> None: ...
    SLUG_MAPPING_FIELD_NUMBER: _ClassVar[int]
    slug_mapping: _containers.ScalarMap[int, str]
    def __init__(self, slug_mapping: _Optional[_Mapping[int, str]] = ...) -> None: ...
