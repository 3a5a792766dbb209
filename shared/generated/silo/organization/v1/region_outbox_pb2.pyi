# Generated from protos/ by `make protos`. DO NOT EDIT.
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OutboxMessageOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUTBOX_MESSAGE_OUTCOME_UNSPECIFIED: _ClassVar[OutboxMessageOutcome]
    OUTBOX_MESSAGE_OUTCOME_APPLIED: _ClassVar[OutboxMessageOutcome]
    OUTBOX_MESSAGE_OUTCOME_IGNORED: _ClassVar[OutboxMessageOutcome]
    OUTBOX_MESSAGE_OUTCOME_FAILED: _ClassVar[OutboxMessageOutcome]
    OUTBOX_MESSAGE_OUTCOME_SKIPPED: _ClassVar[OutboxMessageOutcome]
OUTBOX_MESSAGE_OUTCOME_UNSPECIFIED: OutboxMessageOutcome
OUTBOX_MESSAGE_OUTCOME_APPLIED: OutboxMessageOutcome
OUTBOX_MESSAGE_OUTCOME_IGNORED: OutboxMessageOutcome
OUTBOX_MESSAGE_OUTCOME_FAILED: OutboxMessageOutcome
OUTBOX_MESSAGE_OUTCOME_SKIPPED: OutboxMessageOutcome

class DeliverOutboxBatchRequest(_message.Message):
    __slots__ = ("region_name", "messages")
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    region_name: str
    messages: _containers.RepeatedCompositeFieldContainer[RegionOutboxMessage]
    def __init__(self, region_name: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[RegionOutboxMessage, _Mapping]]] = ...) -> None: ...

class DeliverOutboxBatchResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[OutboxMessageResult]
    def __init__(self, results: _Optional[_Iterable[_Union[OutboxMessageResult, _Mapping]]] = ...) -> None: ...

class RegionOutboxMessage(_message.Message):
    __slots__ = ("shard_identifier", "organization", "organization_removed", "member", "member_removed")
    SHARD_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_REMOVED_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    MEMBER_REMOVED_FIELD_NUMBER: _ClassVar[int]
    shard_identifier: int
    organization: OrganizationState
    organization_removed: OrganizationRemoval
    member: MemberState
    member_removed: MemberRemoval
    def __init__(self, shard_identifier: _Optional[int] = ..., organization: _Optional[_Union[OrganizationState, _Mapping]] = ..., organization_removed: _Optional[_Union[OrganizationRemoval, _Mapping]] = ..., member: _Optional[_Union[MemberState, _Mapping]] = ..., member_removed: _Optional[_Union[MemberRemoval, _Mapping]] = ...) -> None: ...

class OrganizationState(_message.Message):
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

class OrganizationRemoval(_message.Message):
    __slots__ = ("organization_id",)
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    def __init__(self, organization_id: _Optional[int] = ...) -> None: ...

class MemberState(_message.Message):
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

class MemberRemoval(_message.Message):
    __slots__ = ("organization_id", "organizationmember_id", "version")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATIONMEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    organizationmember_id: int
    version: int
    def __init__(self, organization_id: _Optional[int] = ..., organizationmember_id: _Optional[int] = ..., version: _Optional[int] = ...) -> None: ...

class OutboxMessageResult(_message.Message):
    __slots__ = ("outcome", "error")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    outcome: OutboxMessageOutcome
    error: str
    def __init__(self, outcome: _Optional[_Union[OutboxMessageOutcome, str]] = ..., error: _Optional[str] = ...) -> None: ...
