"""``silo.relocation.v1.ImportExportService`` over gRPC: the client that streams a chunk to the
owning silo and reads an export's pages from it, and the servicer that hands chunks to the silo's
``ChunkWriter`` and export requests to its ``SiloExporter``."""

from __future__ import annotations

import contextlib
import json
import queue
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import grpc
import orjson

from shared import errors
from shared.generated.silo.relocation.v1 import relocation_pb2 as pb
from shared.relocation.chunks import ChunkHeader, ChunkResult, ChunkRow, MappedRow, MappingKind
from shared.relocation.exports import (
    ExportRequest,
    Selection,
    SelectionAnswer,
    SelectionQuery,
    SiloExporter,
)
from shared.relocation.findings import Finding, FindingKind, RelocationError
from shared.relocation.scopes import ImportScope
from shared.relocation.writer import ChunkWriter
from shared.rpc.channel import DEFAULT_TIMEOUT_SECONDS, call
from shared.rpc.server import Registration
from shared.rpc.status import error_from_rpc_error
from shared.rpc.streams import stream_stream, stream_unary

SERVICE = pb.DESCRIPTOR.services_by_name["ImportExportService"]
IMPORT_CHUNK = f"/{SERVICE.full_name}/ImportChunk"
SELECT_FOR_EXPORT = f"/{SERVICE.full_name}/SelectForExport"
EXPORT_MODEL = f"/{SERVICE.full_name}/ExportModel"
DRY_RUN_IMPORT = f"/{SERVICE.full_name}/DryRunImport"
# Rows per message of a chunk's stream: keeps each message far below gRPC's 4 MB limit.
ROWS_PER_MESSAGE = 500


def _header_to_pb(header: ChunkHeader) -> pb.ChunkHeader:
    return pb.ChunkHeader(
        import_uuid=header.import_uuid,
        scope=int(header.scope),  # type: ignore[arg-type]
        model=header.model,
        min_ordinal=header.min_ordinal,
        merge_users=header.merge_users,
        overwrite_configs=header.overwrite_configs,
        hide_organizations=header.hide_organizations,
        dry_run=header.dry_run,
        id_map=[
            pb.IdMapping(model=model, old_pk=old, new_id=new)
            for model, pairs in header.id_map.items()
            for old, new in pairs.items()
        ],
    )


def _header_from_pb(message: pb.ChunkHeader) -> ChunkHeader:
    id_map: dict[str, dict[int, int]] = {}
    for mapping in message.id_map:
        id_map.setdefault(mapping.model, {})[mapping.old_pk] = mapping.new_id
    try:
        scope = ImportScope(message.scope)
    except ValueError:
        raise RelocationError(
            Finding(FindingKind.VALIDATION_ERROR, "the chunk names no import scope", field="scope")
        ) from None
    return ChunkHeader(
        import_uuid=message.import_uuid,
        scope=scope,
        model=message.model,
        min_ordinal=message.min_ordinal,
        merge_users=message.merge_users,
        overwrite_configs=message.overwrite_configs,
        hide_organizations=message.hide_organizations,
        dry_run=message.dry_run,
        id_map=id_map,
    )


def _encoded(fields: dict[str, Any]) -> bytes:
    """A row's fields as compact JSON (the json module for integers beyond 64 bits)."""
    try:
        return orjson.dumps(fields)
    except TypeError:
        return json.dumps(fields, separators=(",", ":")).encode()


RequestT = TypeVar("RequestT", pb.ImportChunkRequest, pb.DryRunImportRequest)


def _requests(
    header: ChunkHeader, rows: Sequence[ChunkRow], request: type[RequestT]
) -> Iterator[RequestT]:
    """A chunk as ``request`` messages (both request types carry a header and rows): its header,
    then its rows a message's worth at a time."""
    yield request(header=_header_to_pb(header))
    for start in range(0, len(rows), ROWS_PER_MESSAGE):
        batch = rows[start : start + ROWS_PER_MESSAGE]
        yield request(
            rows=pb.ChunkRows(
                rows=[
                    pb.ChunkRow(pk=row.pk, fields_json=_encoded(row.fields), ordinal=row.ordinal)
                    for row in batch
                ]
            )
        )


def _failure_to_pb(finding: Finding) -> pb.ImportFailure:
    return pb.ImportFailure(
        kind=finding.kind.value,
        model=finding.model,
        ordinal=finding.ordinal or 0,
        left_pk=finding.left_pk or 0,
        field=finding.field or "",
        reason=finding.reason,
    )


def _failure_from_pb(message: pb.ImportFailure) -> Finding:
    try:
        kind = FindingKind(message.kind)
    except ValueError:
        kind = FindingKind.UNKNOWN
    return Finding(
        kind,
        message.reason,
        model=message.model,
        ordinal=message.ordinal or None,
        left_pk=message.left_pk or None,
        field=message.field or None,
    )


def _mapped_to_pb(result: ChunkResult) -> pb.ChunkMapped:
    return pb.ChunkMapped(
        rows=[
            pb.MappedRow(
                old_pk=row.old_pk,
                new_id=row.new_id,
                kind=int(row.kind),  # type: ignore[arg-type]
                renamed_to=row.renamed_to,
            )
            for row in result.rows
        ],
        replayed=result.replayed,
    )


def _result_from_pb(response: pb.ImportChunkResponse | pb.DryRunImportResponse) -> ChunkResult:
    if response.HasField("failure"):
        raise RelocationError(_failure_from_pb(response.failure))
    return ChunkResult(
        rows=[
            MappedRow(row.old_pk, row.new_id, MappingKind(row.kind), row.renamed_to)
            for row in response.mapped.rows
        ],
        replayed=response.mapped.replayed,
    )


class DryRunStream:
    """One dry run's stream to a silo: chunks go one at a time, each answered before the next is
    sent, all in one transaction of the silo that is rolled back when the stream closes."""

    def __init__(self, channel: grpc.Channel, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._outgoing: queue.Queue[pb.DryRunImportRequest | None] = queue.Queue()
        call = stream_stream(channel, DRY_RUN_IMPORT, pb.DryRunImportResponse)
        self._responses = call(iter(self._outgoing.get, None), timeout=timeout)

    def import_chunk(self, header: ChunkHeader, rows: Sequence[ChunkRow]) -> ChunkResult:
        """The silo's answer to one chunk, as ``RelocationClient.import_chunk`` gives it."""
        for message in _requests(header, rows, pb.DryRunImportRequest):
            self._outgoing.put(message)
        self._outgoing.put(pb.DryRunImportRequest(end=pb.ChunkEnd()))
        try:
            response = next(self._responses)
        except grpc.RpcError as error:
            raise error_from_rpc_error(error) from None
        return _result_from_pb(response)

    def close(self) -> None:
        """Ends the stream: the silo rolls the dry run back."""
        self._outgoing.put(None)
        with contextlib.suppress(grpc.RpcError, StopIteration):
            for _ in self._responses:
                pass


class RelocationClient:
    """Sends chunks to one silo's ImportExportService."""

    def __init__(self, channel: grpc.Channel, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._import_chunk = stream_unary(channel, IMPORT_CHUNK, pb.ImportChunkResponse)
        self._select = channel.unary_unary(
            SELECT_FOR_EXPORT,
            request_serializer=pb.SelectForExportRequest.SerializeToString,
            response_deserializer=pb.SelectForExportResponse.FromString,
        )
        self._export_model = channel.unary_stream(
            EXPORT_MODEL,
            request_serializer=pb.ExportModelRequest.SerializeToString,
            response_deserializer=pb.ExportModelResponse.FromString,
        )
        self._timeout = timeout

    def select_for_export(self, query: SelectionQuery) -> SelectionAnswer:
        """What the silo holds of an export's selection."""
        response: pb.SelectForExportResponse = call(
            self._select, _query_to_pb(query), timeout=self._timeout
        )
        return SelectionAnswer(
            user_ids=None if response.all_users else frozenset(response.user_ids),
            organization_ids=tuple(response.organization_ids),
            member_user_ids=tuple(response.member_user_ids),
            unmatched_usernames=tuple(response.unmatched_usernames),
            unmatched_org_slugs=tuple(response.unmatched_org_slugs),
            last_ids=dict(response.last_ids),
        )

    def export_model(self, request: ExportRequest) -> Iterator[list[tuple[int, bytes]]]:
        """The model's selected rows in the silo, a page at a time, each as (id, fields as
        compact JSON); a failed call raises the matching ``SiloError``."""
        selection = request.selection
        message = pb.ExportModelRequest(
            model=request.model,
            filter_users=selection.user_ids is not None,
            user_ids=sorted(selection.user_ids or ()),
            filter_organizations=selection.organization_ids is not None,
            organization_ids=sorted(selection.organization_ids or ()),
            last_id=request.last_id,
        )
        try:
            for page in self._export_model(message, timeout=self._timeout):
                yield [(row.pk, row.fields_json) for row in page.rows]
        except grpc.RpcError as error:
            raise error_from_rpc_error(error) from None

    def import_chunk(self, header: ChunkHeader, rows: Sequence[ChunkRow]) -> ChunkResult:
        """Writes one chunk in the silo (or returns its recorded result); raises
        ``RelocationError`` with the silo's finding when nothing was written."""
        response = call(
            self._import_chunk,
            _requests(header, rows, pb.ImportChunkRequest),
            timeout=self._timeout,
        )
        return _result_from_pb(response)


def _read_chunk(requests: Iterable[pb.ImportChunkRequest]) -> tuple[ChunkHeader, list[ChunkRow]]:
    stream = iter(requests)
    first = next(stream, None)
    if first is None or not first.HasField("header"):
        raise RelocationError(
            Finding(FindingKind.DESERIALIZATION_FAILED, "the chunk does not start with its header")
        )
    header = _header_from_pb(first.header)
    rows: list[ChunkRow] = []
    for request in stream:
        if not request.HasField("rows"):
            raise RelocationError(
                Finding(FindingKind.DESERIALIZATION_FAILED, "a chunk has one header only")
            )
        _add_rows(header, request.rows, rows)
    return header, rows


def _dry_run_chunks(
    requests: Iterable[pb.DryRunImportRequest],
) -> Iterator[tuple[ChunkHeader, list[ChunkRow]]]:
    """The chunks of a dry-run stream: each a header, rows, then an end."""
    header: ChunkHeader | None = None
    rows: list[ChunkRow] = []
    for request in requests:
        part = request.WhichOneof("part")
        if part == "header":
            if header is not None:
                raise RelocationError(
                    Finding(FindingKind.DESERIALIZATION_FAILED, "a chunk has one header only")
                )
            header, rows = _header_from_pb(request.header), []
        elif header is None:
            raise RelocationError(
                Finding(FindingKind.DESERIALIZATION_FAILED, "a chunk starts with its header")
            )
        elif part == "rows":
            _add_rows(header, request.rows, rows)
        else:
            yield header, rows
            header = None
    if header is not None:
        raise RelocationError(
            Finding(FindingKind.DESERIALIZATION_FAILED, "the stream ended inside a chunk")
        )


def _add_rows(header: ChunkHeader, message: pb.ChunkRows, rows: list[ChunkRow]) -> None:
    for row in message.rows:
        ordinal = row.ordinal or header.min_ordinal + len(rows)
        rows.append(ChunkRow(row.pk, _fields(header, row, ordinal), ordinal))


def _fields(header: ChunkHeader, row: pb.ChunkRow, ordinal: int) -> dict[str, Any]:
    try:
        fields = orjson.loads(row.fields_json)
    except orjson.JSONDecodeError:
        # orjson reads integers of 64 bits; a larger one is the field's error to report.
        try:
            fields = json.loads(row.fields_json)
        except ValueError:
            fields = None
    if not isinstance(fields, dict):
        raise RelocationError(
            Finding(
                FindingKind.DESERIALIZATION_FAILED,
                "fields are not a JSON object",
                model=header.model,
                ordinal=ordinal,
                left_pk=row.pk,
            )
        )
    return fields


def _query_to_pb(query: SelectionQuery) -> pb.SelectForExportRequest:
    return pb.SelectForExportRequest(
        scope=int(query.scope),  # type: ignore[arg-type]
        filter_usernames=query.usernames is not None,
        usernames=sorted(query.usernames or ()),
        filter_org_slugs=query.org_slugs is not None,
        org_slugs=sorted(query.org_slugs or ()),
    )


def _query_from_pb(message: pb.SelectForExportRequest) -> SelectionQuery:
    try:
        scope = ImportScope(message.scope)
    except ValueError:
        raise errors.InvalidArgument("the request names no export scope", field="scope") from None
    return SelectionQuery(
        scope=scope,
        usernames=frozenset(message.usernames) if message.filter_usernames else None,
        org_slugs=frozenset(message.org_slugs) if message.filter_org_slugs else None,
    )


def _answer_to_pb(answer: SelectionAnswer) -> pb.SelectForExportResponse:
    return pb.SelectForExportResponse(
        user_ids=sorted(answer.user_ids or ()),
        all_users=answer.user_ids is None,
        organization_ids=answer.organization_ids,
        member_user_ids=answer.member_user_ids,
        unmatched_usernames=answer.unmatched_usernames,
        unmatched_org_slugs=answer.unmatched_org_slugs,
        last_ids=answer.last_ids,
    )


def _export_request_from_pb(message: pb.ExportModelRequest) -> ExportRequest:
    return ExportRequest(
        model=message.model,
        selection=Selection(
            user_ids=frozenset(message.user_ids) if message.filter_users else None,
            organization_ids=(
                frozenset(message.organization_ids) if message.filter_organizations else None
            ),
        ),
        last_id=message.last_id if message.HasField("last_id") else None,
    )


def relocation_registration(writer: ChunkWriter, exporter: SiloExporter) -> Registration:
    """Serves ImportExportService: chunks go to ``writer`` (the whole stream is read and verified
    before anything is written), export requests to ``exporter``."""

    def select_for_export(
        request: pb.SelectForExportRequest, context: grpc.ServicerContext
    ) -> pb.SelectForExportResponse:
        return _answer_to_pb(exporter.select(_query_from_pb(request)))

    def export_model(
        request: pb.ExportModelRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.ExportModelResponse]:
        try:
            pages = exporter.pages(_export_request_from_pb(request))
            for page in pages:
                yield pb.ExportModelResponse(
                    rows=[pb.ExportedRow(pk=pk, fields_json=fields) for pk, fields in page]
                )
        except RelocationError as error:
            raise errors.InvalidArgument(error.finding.reason, field="model") from None

    def import_chunk(
        requests: Iterable[pb.ImportChunkRequest], context: grpc.ServicerContext
    ) -> pb.ImportChunkResponse:
        try:
            header, rows = _read_chunk(requests)
            result = writer.write(header, rows)
        except RelocationError as error:
            return pb.ImportChunkResponse(failure=_failure_to_pb(error.finding))
        return pb.ImportChunkResponse(mapped=_mapped_to_pb(result))

    def dry_run_import(
        requests: Iterable[pb.DryRunImportRequest], context: grpc.ServicerContext
    ) -> Iterator[pb.DryRunImportResponse]:
        # The first refused chunk ends the dry run, as it ends an import.
        with writer.dry_run() as run:
            try:
                for chunk in _dry_run_chunks(requests):
                    yield pb.DryRunImportResponse(mapped=_mapped_to_pb(run.write(*chunk)))
            except RelocationError as error:
                yield pb.DryRunImportResponse(failure=_failure_to_pb(error.finding))

    handler = grpc.method_handlers_generic_handler(
        SERVICE.full_name,
        {
            "ImportChunk": grpc.stream_unary_rpc_method_handler(
                import_chunk,
                request_deserializer=pb.ImportChunkRequest.FromString,
                response_serializer=pb.ImportChunkResponse.SerializeToString,
            ),
            "DryRunImport": grpc.stream_stream_rpc_method_handler(
                dry_run_import,
                request_deserializer=pb.DryRunImportRequest.FromString,
                response_serializer=pb.DryRunImportResponse.SerializeToString,
            ),
            "SelectForExport": grpc.unary_unary_rpc_method_handler(
                select_for_export,
                request_deserializer=pb.SelectForExportRequest.FromString,
                response_serializer=pb.SelectForExportResponse.SerializeToString,
            ),
            "ExportModel": grpc.unary_stream_rpc_method_handler(
                export_model,
                request_deserializer=pb.ExportModelRequest.FromString,
                response_serializer=pb.ExportModelResponse.SerializeToString,
            ),
        },
    )

    def register(server: grpc.Server) -> Sequence[str]:
        server.add_generic_rpc_handlers((handler,))
        return [SERVICE.full_name]

    return register
