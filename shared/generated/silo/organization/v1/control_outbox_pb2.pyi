# Generated from protos/ by `make protos`. DO NOT EDIT.
from shared.generated.silo.organization.v1 import region_outbox_pb2 as _region_outbox_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ControlOutboxServiceDeliverOutboxBatchRequest(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[ControlOutboxMessage]
    def __init__(self, messages: _Optional[_Iterable[_Union[ControlOutboxMessage, _Mapping]]] = ...) -> None: ...

class ControlOutboxServiceDeliverOutboxBatchResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[_region_outbox_pb2.OutboxMessageResult]
    def __init__(self, results: _Optional[_Iterable[_Union[_region_outbox_pb2.OutboxMessageResult, _Mapping]]] = ...) -> None: ...

class ControlOutboxMessage(_message.Message):
    __slots__ = ("shard_identifier", "user", "user_removed", "user_invalidated", "reservation", "reservation_removed")
    SHARD_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    USER_REMOVED_FIELD_NUMBER: _ClassVar[int]
    USER_INVALIDATED_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_REMOVED_FIELD_NUMBER: _ClassVar[int]
    shard_identifier: int
    user: RegionUserState
    user_removed: RegionUserRemoval
    user_invalidated: RegionUserInvalidation
    reservation: SlugReservationState
    reservation_removed: SlugReservationRemoval
    def __init__(self, shard_identifier: _Optional[int] = ..., user: _Optional[_Union[RegionUserState, _Mapping]] = ..., user_removed: _Optional[_Union[RegionUserRemoval, _Mapping]] = ..., user_invalidated: _Optional[_Union[RegionUserInvalidation, _Mapping]] = ..., reservation: _Optional[_Union[SlugReservationState, _Mapping]] = ..., reservation_removed: _Optional[_Union[SlugReservationRemoval, _Mapping]] = ...) -> None: ...

class RegionUserState(_message.Message):
    __slots__ = ("user_id", "is_active", "email")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    is_active: bool
    email: str
    def __init__(self, user_id: _Optional[int] = ..., is_active: _Optional[bool] = ..., email: _Optional[str] = ...) -> None: ...

class RegionUserRemoval(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class RegionUserInvalidation(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class SlugReservationState(_message.Message):
    __slots__ = ("id", "slug", "organization_id", "user_id", "region_name", "reservation_type")
    ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    id: int
    slug: str
    organization_id: int
    user_id: int
    region_name: str
    reservation_type: int
    def __init__(self, id: _Optional[int] = ..., slug: _Optional[str] = ..., organization_id: _Optional[int] = ..., user_id: _Optional[int] = ..., region_name: _Optional[str] = ..., reservation_type: _Optional[int] = ...) -> None: ...

class SlugReservationRemoval(_message.Message):
    __slots__ = ("reservation_id",)
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    reservation_id: int
    def __init__(self, reservation_id: _Optional[int] = ...) -> None: ...
