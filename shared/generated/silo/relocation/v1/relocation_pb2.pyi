# Generated from protos/ by `make protos`. DO NOT EDIT.
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ImportScope(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMPORT_SCOPE_UNSPECIFIED: _ClassVar[ImportScope]
    IMPORT_SCOPE_USER: _ClassVar[ImportScope]
    IMPORT_SCOPE_ORGANIZATION: _ClassVar[ImportScope]
    IMPORT_SCOPE_CONFIG: _ClassVar[ImportScope]
    IMPORT_SCOPE_GLOBAL: _ClassVar[ImportScope]

class MappingKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MAPPING_KIND_UNSPECIFIED: _ClassVar[MappingKind]
    MAPPING_KIND_INSERTED: _ClassVar[MappingKind]
    MAPPING_KIND_EXISTING: _ClassVar[MappingKind]
    MAPPING_KIND_OVERWRITE: _ClassVar[MappingKind]
    MAPPING_KIND_SKIPPED: _ClassVar[MappingKind]
IMPORT_SCOPE_UNSPECIFIED: ImportScope
IMPORT_SCOPE_USER: ImportScope
IMPORT_SCOPE_ORGANIZATION: ImportScope
IMPORT_SCOPE_CONFIG: ImportScope
IMPORT_SCOPE_GLOBAL: ImportScope
MAPPING_KIND_UNSPECIFIED: MappingKind
MAPPING_KIND_INSERTED: MappingKind
MAPPING_KIND_EXISTING: MappingKind
MAPPING_KIND_OVERWRITE: MappingKind
MAPPING_KIND_SKIPPED: MappingKind

class ImportChunkRequest(_message.Message):
    __slots__ = ("header", "rows")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    header: ChunkHeader
    rows: ChunkRows
    def __init__(self, header: _Optional[_Union[ChunkHeader, _Mapping]] = ..., rows: _Optional[_Union[ChunkRows, _Mapping]] = ...) -> None: ...

class DryRunImportRequest(_message.Message):
    __slots__ = ("header", "rows", "end")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    header: ChunkHeader
    rows: ChunkRows
    end: ChunkEnd
    def __init__(self, header: _Optional[_Union[ChunkHeader, _Mapping]] = ..., rows: _Optional[_Union[ChunkRows, _Mapping]] = ..., end: _Optional[_Union[ChunkEnd, _Mapping]] = ...) -> None: ...

class ChunkEnd(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DryRunImportResponse(_message.Message):
    __slots__ = ("mapped", "failure")
    MAPPED_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    mapped: ChunkMapped
    failure: ImportFailure
    def __init__(self, mapped: _Optional[_Union[ChunkMapped, _Mapping]] = ..., failure: _Optional[_Union[ImportFailure, _Mapping]] = ...) -> None: ...

class ChunkHeader(_message.Message):
    __slots__ = ("import_uuid", "scope", "model", "min_ordinal", "merge_users", "overwrite_configs", "hide_organizations", "dry_run", "id_map")
    IMPORT_UUID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MIN_ORDINAL_FIELD_NUMBER: _ClassVar[int]
    MERGE_USERS_FIELD_NUMBER: _ClassVar[int]
    OVERWRITE_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    HIDE_ORGANIZATIONS_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    ID_MAP_FIELD_NUMBER: _ClassVar[int]
    import_uuid: str
    scope: ImportScope
    model: str
    min_ordinal: int
    merge_users: bool
    overwrite_configs: bool
    hide_organizations: bool
    dry_run: bool
    id_map: _containers.RepeatedCompositeFieldContainer[IdMapping]
    def __init__(self, import_uuid: _Optional[str] = ..., scope: _Optional[_Union[ImportScope, str]] = ..., model: _Optional[str] = ..., min_ordinal: _Optional[int] = ..., merge_users: _Optional[bool] = ..., overwrite_configs: _Optional[bool] = ..., hide_organizations: _Optional[bool] = ..., dry_run: _Optional[bool] = ..., id_map: _Optional[_Iterable[_Union[IdMapping, _Mapping]]] = ...) -> None: ...

class IdMapping(_message.Message):
    __slots__ = ("model", "old_pk", "new_id")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    OLD_PK_FIELD_NUMBER: _ClassVar[int]
    NEW_ID_FIELD_NUMBER: _ClassVar[int]
    model: str
    old_pk: int
    new_id: int
    def __init__(self, model: _Optional[str] = ..., old_pk: _Optional[int] = ..., new_id: _Optional[int] = ...) -> None: ...

class ChunkRows(_message.Message):
    __slots__ = ("rows",)
    ROWS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[ChunkRow]
    def __init__(self, rows: _Optional[_Iterable[_Union[ChunkRow, _Mapping]]] = ...) -> None: ...

class ChunkRow(_message.Message):
    __slots__ = ("pk", "fields_json", "ordinal")
    PK_FIELD_NUMBER: _ClassVar[int]
    FIELDS_JSON_FIELD_NUMBER: _ClassVar[int]
    ORDINAL_FIELD_NUMBER: _ClassVar[int]
    pk: int
    fields_json: bytes
    ordinal: int
    def __init__(self, pk: _Optional[int] = ..., fields_json: _Optional[bytes] = ..., ordinal: _Optional[int] = ...) -> None: ...

class ImportChunkResponse(_message.Message):
    __slots__ = ("mapped", "failure")
    MAPPED_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    mapped: ChunkMapped
    failure: ImportFailure
    def __init__(self, mapped: _Optional[_Union[ChunkMapped, _Mapping]] = ..., failure: _Optional[_Union[ImportFailure, _Mapping]] = ...) -> None: ...

class ChunkMapped(_message.Message):
    __slots__ = ("rows", "replayed")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[MappedRow]
    replayed: bool
    def __init__(self, rows: _Optional[_Iterable[_Union[MappedRow, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class MappedRow(_message.Message):
    __slots__ = ("old_pk", "new_id", "kind", "renamed_to")
    OLD_PK_FIELD_NUMBER: _ClassVar[int]
    NEW_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RENAMED_TO_FIELD_NUMBER: _ClassVar[int]
    old_pk: int
    new_id: int
    kind: MappingKind
    renamed_to: str
    def __init__(self, old_pk: _Optional[int] = ..., new_id: _Optional[int] = ..., kind: _Optional[_Union[MappingKind, str]] = ..., renamed_to: _Optional[str] = ...) -> None: ...

class ImportFailure(_message.Message):
    __slots__ = ("kind", "model", "ordinal", "left_pk", "field", "reason")
    KIND_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    ORDINAL_FIELD_NUMBER: _ClassVar[int]
    LEFT_PK_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    kind: str
    model: str
    ordinal: int
    left_pk: int
    field: str
    reason: str
    def __init__(self, kind: _Optional[str] = ..., model: _Optional[str] = ..., ordinal: _Optional[int] = ..., left_pk: _Optional[int] = ..., field: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class SelectForExportRequest(_message.Message):
    __slots__ = ("scope", "filter_usernames", "usernames", "filter_org_slugs", "org_slugs")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    FILTER_USERNAMES_FIELD_NUMBER: _ClassVar[int]
    USERNAMES_FIELD_NUMBER: _ClassVar[int]
    FILTER_ORG_SLUGS_FIELD_NUMBER: _ClassVar[int]
    ORG_SLUGS_FIELD_NUMBER: _ClassVar[int]
    scope: ImportScope
    filter_usernames: bool
    usernames: _containers.RepeatedScalarFieldContainer[str]
    filter_org_slugs: bool
    org_slugs: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, scope: _Optional[_Union[ImportScope, str]] = ..., filter_usernames: _Optional[bool] = ..., usernames: _Optional[_Iterable[str]] = ..., filter_org_slugs: _Optional[bool] = ..., org_slugs: _Optional[_Iterable[str]] = ...) -> None: ...

class SelectForExportResponse(_message.Message):
    __slots__ = ("user_ids", "all_users", "organization_ids", "member_user_ids", "unmatched_usernames", "unmatched_org_slugs", "last_ids")
    class LastIdsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    ALL_USERS_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_IDS_FIELD_NUMBER: _ClassVar[int]
    MEMBER_USER_IDS_FIELD_NUMBER: _ClassVar[int]
    UNMATCHED_USERNAMES_FIELD_NUMBER: _ClassVar[int]
    UNMATCHED_ORG_SLUGS_FIELD_NUMBER: _ClassVar[int]
    LAST_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[int]
    all_users: bool
    organization_ids: _containers.RepeatedScalarFieldContainer[int]
    member_user_ids: _containers.RepeatedScalarFieldContainer[int]
    unmatched_usernames: _containers.RepeatedScalarFieldContainer[str]
    unmatched_org_slugs: _containers.RepeatedScalarFieldContainer[str]
    last_ids: _containers.ScalarMap[str, int]
    def __init__(self, user_ids: _Optional[_Iterable[int]] = ..., all_users: _Optional[bool] = ..., organization_ids: _Optional[_Iterable[int]] = ..., member_user_ids: _Optional[_Iterable[int]] = ..., unmatched_usernames: _Optional[_Iterable[str]] = ..., unmatched_org_slugs: _Optional[_Iterable[str]] = ..., last_ids: _Optional[_Mapping[str, int]] = ...) -> None: ...

class ExportModelRequest(_message.Message):
    __slots__ = ("scope", "model", "filter_users", "user_ids", "filter_organizations", "organization_ids", "last_id")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    FILTER_USERS_FIELD_NUMBER: _ClassVar[int]
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    FILTER_ORGANIZATIONS_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_IDS_FIELD_NUMBER: _ClassVar[int]
    LAST_ID_FIELD_NUMBER: _ClassVar[int]
    scope: ImportScope
    model: str
    filter_users: bool
    user_ids: _containers.RepeatedScalarFieldContainer[int]
    filter_organizations: bool
    organization_ids: _containers.RepeatedScalarFieldContainer[int]
    last_id: int
    def __init__(self, scope: _Optional[_Union[ImportScope, str]] = ..., model: _Optional[str] = ..., filter_users: _Optional[bool] = ..., user_ids: _Optional[_Iterable[int]] = ..., filter_organizations: _Optional[bool] = ..., organization_ids: _Optional[_Iterable[int]] = ..., last_id: _Optional[int] = ...) -> None: ...

class ExportModelResponse(_message.Message):
    __slots__ = ("rows",)
    ROWS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[ExportedRow]
    def __init__(self, rows: _Optional[_Iterable[_Union[ExportedRow, _Mapping]]] = ...) -> None: ...

class ExportedRow(_message.Message):
    __slots__ = ("pk", "fields_json")
    PK_FIELD_NUMBER: _ClassVar[int]
    FIELDS_JSON_FIELD_NUMBER: _ClassVar[int]
    pk: int
    fields_json: bytes
    def __init__(self, pk: _Optional[int] = ..., fields_json: _Optional[bytes] = ...) -> None: ...
