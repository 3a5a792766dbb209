"""Writes one chunk of an import in the silo that owns its model: all rows and the chunk's record
in one transaction, so a chunk sent again returns what was recorded and writes nothing more."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shared import errors
from shared.db.unit_of_work import UnitOfWork
from shared.errors import SiloError
from shared.outbox.writer import OutboxWriter
from shared.relocation.chunks import ChunkHeader, ChunkResult, ChunkRow, MappedRow
from shared.relocation.fields import RowFields
from shared.relocation.findings import Finding, FindingKind, RelocationError
from shared.relocation.models import BY_NAME
from shared.relocation.scopes import ImportScope

log = logging.getLogger("silo.relocation")

# A service error met while writing a chunk (another silo's refusal, or its absence).
_KIND_BY_ERROR: dict[type[SiloError], FindingKind] = {
    errors.InvalidArgument: FindingKind.VALIDATION_ERROR,
    errors.NotFound: FindingKind.VALIDATION_ERROR,
    errors.FailedPrecondition: FindingKind.VALIDATION_ERROR,
    errors.AlreadyExists: FindingKind.INTEGRITY_ERROR,
}


@dataclass
class ImportContext:
    """What an importer gets besides its rows: the open unit of work and the chunk's header."""

    uow: UnitOfWork
    header: ChunkHeader

    @property
    def model(self) -> str:
        """The chunk's model."""
        return self.header.model

    def new_id(self, model: str, old_pk: int | None) -> int | None:
        """The id here of the row ``old_pk`` of ``model`` in the file, if it was imported."""
        if old_pk is None:
            return None
        return self.header.id_map.get(model, {}).get(old_pk)

    def optional_key(
        self, fields: RowFields, field: str, target: str, *, null_when_missing: bool = False
    ) -> int | None:
        """The id here of the ``target`` row the key ``field`` points at; None for a null key
        (and, with ``null_when_missing``, for a row this import did not write, as Sentry clears
        an inviter). A key into a row the import did not write is an IntegrityError finding."""
        old = fields.optional_integer(field)
        if old is None:
            return None
        new = self.new_id(target, old)
        if new is None and not null_when_missing:
            raise chunk_failure(
                FindingKind.INTEGRITY_ERROR,
                self.header,
                f"{field} points at {target} pk {old}, which this import did not write",
                fields.row,
            )
        return new

    def key(self, fields: RowFields, field: str, target: str) -> int:
        """The id here of the ``target`` row the required key ``field`` points at."""
        new = self.optional_key(fields, field, target)
        if new is None:
            raise fields.invalid(field, "may not be null")
        return new


Importer = Callable[[ImportContext, list[ChunkRow]], list[MappedRow]]
# Runs before the chunk's transaction opens (a call to another silo that must not hold this
# silo's write lock) and returns the rows the importer then gets.
Preparer = Callable[[ChunkHeader, list[ChunkRow]], list[ChunkRow]]


def chunk_failure(
    kind: FindingKind, header: ChunkHeader, reason: str, row: ChunkRow | None = None
) -> RelocationError:
    """An error about the chunk (or one of its rows)."""
    return RelocationError(
        Finding(
            kind,
            reason,
            model=header.model,
            ordinal=row.ordinal if row else header.min_ordinal,
            left_pk=row.pk if row else None,
        )
    )


class ChunkWriter:
    """Writes chunks of the models one silo owns.

    :param record_model: the silo's import chunk table (``ImportChunkColumns``).
    :param importers: model name -> the function that writes a chunk of it.
    :param preparers: model name -> what runs before the chunk's transaction (it must be
        idempotent: a chunk sent again runs it again).
    :param occupied: what this silo already holds that a full restore must not meet (a short
        description, or None when the silo is empty); asked before an import's first chunk.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        outbox: OutboxWriter,
        record_model: type[Any],
        importers: Mapping[str, Importer],
        *,
        preparers: Mapping[str, Preparer] | None = None,
        occupied: Callable[[Session], str | None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._record = record_model
        self._importers = dict(importers)
        self._preparers = dict(preparers or {})
        self._occupied = occupied
        self._dry_runs: dict[str, DryRun] = {}
        self._dry_runs_lock = threading.Lock()

    def write(self, header: ChunkHeader, rows: list[ChunkRow]) -> ChunkResult:
        """Writes the chunk, or returns the recorded result of the same chunk; raises
        ``RelocationError`` with the finding when nothing could be written. A dry-run chunk of
        an import whose dry run is open here joins that dry run's transaction."""
        self._check(header)
        if header.dry_run:
            with self._dry_runs_lock:
                joined = self._dry_runs.get(header.import_uuid)
            if joined is not None:
                return joined.write(header, rows)
        with _as_findings(header):
            return self._write(header, self._prepared(header, rows))

    @contextmanager
    def dry_run(self) -> Iterator[DryRun]:
        """One dry run: every chunk it writes goes into one transaction, rolled back when the
        block ends, so each chunk sees the ones before it and nothing is written."""
        run = DryRun(self)
        try:
            yield run
        finally:
            run.close()

    def _check(self, header: ChunkHeader) -> None:
        if not header.import_uuid:
            raise chunk_failure(
                FindingKind.MISSING_IMPORT_UUID, header, "the chunk has no import id"
            )
        if header.min_ordinal < 1:
            raise chunk_failure(FindingKind.INVALID_MIN_ORDINAL, header, "ordinals start at 1")
        if header.model not in self._importers:
            kind = (
                FindingKind.UNEXPECTED_MODEL
                if header.model in BY_NAME
                else FindingKind.UNKNOWN_MODEL
            )
            raise chunk_failure(kind, header, "this silo does not import this model")

    def _prepared(self, header: ChunkHeader, rows: list[ChunkRow]) -> list[ChunkRow]:
        """The chunk's rows once its model's preparer (if any) ran."""
        prepare = self._preparers.get(header.model)
        return prepare(header, rows) if prepare else rows

    def _replayed_or_fitting(
        self, session: Session, header: ChunkHeader, rows: list[ChunkRow], *, check_empty: bool
    ) -> ChunkResult | None:
        """The recorded result of a chunk written before; else None, once the chunk is known to
        fit (``_check_fits``)."""
        recorded = self._recorded(session, header)
        if recorded is not None:
            return ChunkResult(recorded, replayed=True)
        self._check_fits(session, header, rows, check_empty=check_empty)
        return None

    def _imported(
        self, uow: UnitOfWork, header: ChunkHeader, rows: list[ChunkRow]
    ) -> list[MappedRow]:
        """Writes the chunk's rows in ``uow`` with its model's importer."""
        return self._importers[header.model](ImportContext(uow, header), rows)

    def _recorded(self, session: Session, header: ChunkHeader) -> list[MappedRow] | None:
        result = session.scalar(
            select(self._record.result).where(
                self._record.import_uuid == header.import_uuid,
                self._record.model == header.model,
                self._record.min_ordinal == header.min_ordinal,
            )
        )
        if result is None:
            return None
        return [MappedRow.from_json(item) for item in json.loads(result)]

    def _write(self, header: ChunkHeader, rows: list[ChunkRow]) -> ChunkResult:
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            replayed = self._replayed_or_fitting(uow.session, header, rows, check_empty=True)
            if replayed is not None:
                return replayed
            # The record goes in first: a racing copy of this chunk waits on its key and then
            # fails on it, before writing any row, and returns what this one recorded.
            record = self._record(
                import_uuid=header.import_uuid,
                model=header.model,
                min_ordinal=header.min_ordinal,
                max_ordinal=rows[-1].ordinal if rows else header.min_ordinal,
                result="[]",
            )
            uow.session.add(record)
            try:
                uow.flush()
            except IntegrityError:
                uow.session.rollback()
                recorded = self._recorded(uow.session, header)
                if recorded is None:
                    raise
                return ChunkResult(recorded, replayed=True)
            mapped = self._imported(uow, header, rows)
            if header.dry_run:
                return ChunkResult(mapped)  # leaving the block rolls everything back
            record.result = json.dumps([row.as_json() for row in mapped])
            uow.commit()
            return ChunkResult(mapped)

    def _check_fits(
        self,
        session: Session,
        header: ChunkHeader,
        rows: list[ChunkRow],
        *,
        check_empty: bool = True,
    ) -> None:
        """Refuses a chunk that overlaps one of the same import written with other bounds (a
        resume with another chunk size would write those rows twice), and (``check_empty``) the
        first chunk of a full restore into a silo that holds data already."""
        last = rows[-1].ordinal if rows else header.min_ordinal
        record = self._record
        overlapping = session.scalar(
            select(record.min_ordinal).where(
                record.import_uuid == header.import_uuid,
                record.model == header.model,
                record.min_ordinal <= last,
                record.max_ordinal >= header.min_ordinal,
            )
        )
        if overlapping is not None:
            raise chunk_failure(
                FindingKind.INVALID_MIN_ORDINAL,
                header,
                f"rows from {overlapping} on were written by this import in another chunk: "
                "resume with the --chunk-size it started with",
            )
        if not check_empty or header.scope is not ImportScope.GLOBAL or self._occupied is None:
            return
        started = session.scalar(
            select(record.id).where(record.import_uuid == header.import_uuid).limit(1)
        )
        reason = None if started is not None else self._occupied(session)
        if reason is not None:
            raise chunk_failure(
                FindingKind.UNEXPECTED_MODEL,
                header,
                f"a global import restores a backup into an empty silo, and this one holds "
                f"{reason}; Silo never deletes data to make room",
            )


class DryRun:
    """The chunks of one dry run, in one transaction of this silo that is never committed. The
    first chunk names the import; a dry-run chunk of that import sent by another caller (a
    region asking for organization ids) joins it. One chunk at a time: gRPC calls come on
    several threads and a session serves one. Once closed, it takes no chunk again."""

    def __init__(self, writer: ChunkWriter) -> None:
        self._writer = writer
        self._lock = threading.RLock()
        self._uow: UnitOfWork | None = None
        # The import it is registered under, once its first chunk came.
        self._import_uuid: str | None = None
        self._checked_empty = False
        self._closed = False

    def write(self, header: ChunkHeader, rows: list[ChunkRow]) -> ChunkResult:
        """Writes one chunk into the dry run's transaction and returns what became of its
        rows; a refused chunk leaves the transaction as it was before it."""
        writer = self._writer
        writer._check(header)
        with self._lock, _as_findings(header):
            uow = self._open(header)
            rows = writer._prepared(header, rows)
            replayed = writer._replayed_or_fitting(
                uow.session, header, rows, check_empty=not self._checked_empty
            )
            if replayed is not None:
                return replayed
            self._checked_empty = True
            savepoint = uow.session.begin_nested()
            try:
                mapped = writer._imported(uow, header, rows)
            except BaseException:
                savepoint.rollback()
                raise
            savepoint.commit()
            return ChunkResult(mapped)

    def _open(self, header: ChunkHeader) -> UnitOfWork:
        if self._closed:
            raise chunk_failure(FindingKind.UNKNOWN, header, "this dry run has ended")
        if self._uow is not None:
            if header.import_uuid != self._import_uuid:
                raise chunk_failure(
                    FindingKind.UNKNOWN, header, "a dry run covers the chunks of one import"
                )
            return self._uow
        writer = self._writer
        with writer._dry_runs_lock:
            if header.import_uuid in writer._dry_runs:
                raise chunk_failure(
                    FindingKind.UNKNOWN, header, "a dry run of this import is running already"
                )
            writer._dry_runs[header.import_uuid] = self
        self._import_uuid = header.import_uuid
        try:
            self._uow = UnitOfWork(writer._sessions, outbox=writer._outbox).__enter__()
        except BaseException:
            self._unregister()
            raise
        return self._uow

    def _unregister(self) -> None:
        writer = self._writer
        with writer._dry_runs_lock:
            if self._import_uuid is not None and writer._dry_runs.get(self._import_uuid) is self:
                del writer._dry_runs[self._import_uuid]

    def close(self) -> None:
        """Rolls everything back and lets the import id go."""
        with self._lock:
            self._closed = True
            self._unregister()
            if self._uow is not None:
                self._uow.__exit__(None, None, None)
                self._uow = None


@contextmanager
def _as_findings(header: ChunkHeader) -> Iterator[None]:
    """Turns what stops a chunk (another silo's refusal, a constraint, the database) into the
    chunk's finding."""
    try:
        yield
    except RelocationError:
        raise
    except SiloError as error:
        raise RelocationError(
            Finding(
                _KIND_BY_ERROR.get(type(error), FindingKind.UNKNOWN),
                error.message,
                model=header.model,
                ordinal=header.min_ordinal,
                field=error.field,
            )
        ) from None
    except IntegrityError as error:
        raise chunk_failure(FindingKind.INTEGRITY_ERROR, header, _first_line(error.orig)) from None
    except DatabaseError as error:
        log.exception("import chunk %s of %s failed", header.min_ordinal, header.model)
        raise chunk_failure(FindingKind.DATABASE_ERROR, header, _first_line(error.orig)) from None


def _first_line(error: BaseException | None) -> str:
    text = str(error or "database error").strip().splitlines()
    return (text[0] if text else "database error")[:300]
