# Generated from protos/ by `make protos`. DO NOT EDIT.
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UserOption(_message.Message):
    __slots__ = ("id", "user_id", "key", "value_json", "project_id", "organization_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_JSON_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    id: int
    user_id: int
    key: str
    value_json: str
    project_id: int
    organization_id: int
    def __init__(self, id: _Optional[int] = ..., user_id: _Optional[int] = ..., key: _Optional[str] = ..., value_json: _Optional[str] = ..., project_id: _Optional[int] = ..., organization_id: _Optional[int] = ...) -> None: ...

class UserOptionServiceGetManyRequest(_message.Message):
    __slots__ = ("user_ids", "keys", "project_id", "organization_id", "key", "project_ids", "has_project_ids")
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    PROJECT_IDS_FIELD_NUMBER: _ClassVar[int]
    HAS_PROJECT_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[int]
    keys: _containers.RepeatedScalarFieldContainer[str]
    project_id: int
    organization_id: int
    key: str
    project_ids: _containers.RepeatedScalarFieldContainer[int]
    has_project_ids: bool
    def __init__(self, user_ids: _Optional[_Iterable[int]] = ..., keys: _Optional[_Iterable[str]] = ..., project_id: _Optional[int] = ..., organization_id: _Optional[int] = ..., key: _Optional[str] = ..., project_ids: _Optional[_Iterable[int]] = ..., has_project_ids: _Optional[bool] = ...) -> None: ...

class UserOptionServiceGetManyResponse(_message.Message):
    __slots__ = ("options",)
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    options: _containers.RepeatedCompositeFieldContainer[UserOption]
    def __init__(self, options: _Optional[_Iterable[_Union[UserOption, _Mapping]]] = ...) -> None: ...

class SetOptionRequest(_message.Message):
    __slots__ = ("user_id", "key", "value_json", "project_id", "organization_id")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_JSON_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    key: str
    value_json: str
    project_id: int
    organization_id: int
    def __init__(self, user_id: _Optional[int] = ..., key: _Optional[str] = ..., value_json: _Optional[str] = ..., project_id: _Optional[int] = ..., organization_id: _Optional[int] = ...) -> None: ...

class SetOptionResponse(_message.Message):
    __slots__ = ("option",)
    OPTION_FIELD_NUMBER: _ClassVar[int]
    option: UserOption
    def __init__(self, option: _Optional[_Union[UserOption, _Mapping]] = ...) -> None: ...

class DeleteOptionsRequest(_message.Message):
    __slots__ = ("option_ids",)
    OPTION_IDS_FIELD_NUMBER: _ClassVar[int]
    option_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, option_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class DeleteOptionsResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: int
    def __init__(self, deleted: _Optional[int] = ...) -> None: ...
