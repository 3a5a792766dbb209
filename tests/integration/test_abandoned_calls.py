"""A write the client saw fail commits nothing, and a retried write is applied once: a call cut
off by a server stopping past its grace period, or by its deadline, rolls back; a call sent again
with the same request id (and request) after its writes committed gets the first response."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import grpc
import pytest
from google.protobuf.wrappers_pb2 import Int64Value, StringValue
from sqlalchemy import MetaData, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import UserRow
from shared.db.columns import BigIntId
from shared.db.requests import RequestLog, RequestLogColumns
from shared.db.unit_of_work import UnitOfWork
from shared.generated.silo.user.v1 import user_pb2, user_pb2_grpc
from shared.rpc.access_log import LoggerAccessLog
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer, create_server
from shared.rpc.wrapping import REQUEST_ID_METADATA_KEY, Plumbing
from tests.conftest import TEST_SECRET
from tests.databases import scratch_sessions

SECRET = "abandoned-calls-secret"
SERVICE = "silo.test.v1.AbandonTestService"
WRITE = f"/{SERVICE}/Write"


class Base(DeclarativeBase):
    metadata = MetaData()


class Note(Base):
    __tablename__ = "note"

    id: Mapped[BigIntId]
    text: Mapped[str] = mapped_column(String(100))


class Requests(RequestLogColumns, Base):
    __tablename__ = "request"


@dataclass
class Writer(grpc.GenericRpcHandler):
    """Writes a note per call; a note "hold" (or "idempotent-hold") waits for ``release``
    before committing, "hold-after" after; a note starting with "idempotent" is written in an
    idempotent unit of work (not tied to the request log)."""

    sessions: sessionmaker[Session]
    entered: threading.Event = field(default_factory=threading.Event)
    committed: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    runs: int = 0

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        if details.method != WRITE:
            return None
        return grpc.unary_unary_rpc_method_handler(
            self.write,
            request_deserializer=StringValue.FromString,
            response_serializer=Int64Value.SerializeToString,
        )

    def write(self, request: StringValue, context: grpc.ServicerContext) -> Int64Value:
        self.runs += 1
        try:
            idempotent = request.value.startswith("idempotent")
            with UnitOfWork(self.sessions, idempotent=idempotent) as uow:
                note = Note(text=request.value)
                uow.session.add(note)
                uow.flush()
                if request.value in ("hold", "idempotent-hold"):
                    self.entered.set()
                    self.release.wait(30)
                uow.commit()
                self.committed.set()
            if request.value == "hold-after":
                self.entered.set()
                self.release.wait(30)
            return Int64Value(value=note.id)
        finally:
            self.finished.set()


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with scratch_sessions(tmp_path, "abandoned", Base.metadata) as made:
        yield made


def serve(writer: Writer) -> RunningServer:
    def register(server: grpc.Server) -> list[str]:
        server.add_generic_rpc_handlers((writer,))
        return [SERVICE]

    return create_server(
        "127.0.0.1:0",
        [register],
        secrets=(SECRET,),
        requests=RequestLog(writer.sessions, Requests),
    )


def notes(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Note)) or 0


def call_write(
    port: int, text: str, *, request_id: str | None = None, timeout: float = 10
) -> int | grpc.StatusCode:
    metadata = ((REQUEST_ID_METADATA_KEY, request_id),) if request_id else None
    with open_channel(f"127.0.0.1:{port}", secret=SECRET) as channel:
        write = channel.unary_unary(
            WRITE,
            request_serializer=StringValue.SerializeToString,
            response_deserializer=Int64Value.FromString,
        )
        try:
            return int(write(StringValue(value=text), metadata=metadata, timeout=timeout).value)
        except grpc.RpcError as error:
            assert isinstance(error, grpc.Call)
            return error.code()


def in_background(target: Any) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []
    thread = threading.Thread(target=lambda: outcome.append(target()))
    thread.start()
    return thread, outcome


def test_a_write_cut_off_by_a_stopping_server_commits_nothing(
    sessions: sessionmaker[Session],
) -> None:
    writer = Writer(sessions)
    running = serve(writer)
    thread, outcome = in_background(lambda: call_write(running.port, "hold"))
    assert writer.entered.wait(10)
    stopped = running.server.stop(0.2)
    thread.join(30)
    writer.release.set()
    assert writer.finished.wait(10)
    stopped.wait(10)
    assert outcome and outcome[0] != grpc.StatusCode.OK and not isinstance(outcome[0], int)
    assert not writer.committed.is_set()
    assert notes(sessions) == 0


@pytest.mark.parametrize("mode", ["hold", "idempotent-hold"], ids=["logged", "idempotent"])
def test_a_write_past_its_deadline_commits_nothing(
    sessions: sessionmaker[Session], mode: str
) -> None:
    writer = Writer(sessions)
    running = serve(writer)
    try:
        thread, outcome = in_background(lambda: call_write(running.port, mode, timeout=0.5))
        assert writer.entered.wait(10)
        thread.join(30)
        writer.release.set()
        assert writer.finished.wait(10)
    finally:
        running.stop(0)
    assert outcome == [grpc.StatusCode.DEADLINE_EXCEEDED]
    assert notes(sessions) == 0


def test_a_retry_after_the_writes_committed_gets_the_first_response(
    sessions: sessionmaker[Session],
) -> None:
    writer = Writer(sessions)
    first = serve(writer)
    thread, outcome = in_background(
        lambda: call_write(first.port, "hold-after", request_id="retried-call")
    )
    assert writer.entered.wait(10)
    stopped = first.server.stop(0.2)
    thread.join(30)
    writer.release.set()
    assert writer.finished.wait(10)
    stopped.wait(10)
    assert not isinstance(outcome[0], int), outcome
    assert notes(sessions) == 1  # committed before the server cut the call off
    with sessions() as session:
        written = session.scalar(select(Note.id))

    second = serve(Writer(sessions))
    try:
        retried = call_write(second.port, "hold-after", request_id="retried-call")
        other_request = call_write(second.port, "another", request_id="retried-call")
    finally:
        second.stop(0)
    assert retried == written
    assert isinstance(other_request, int) and other_request != written
    assert notes(sessions) == 2


def test_an_idempotent_write_sent_twice_is_applied_twice_and_records_no_key(
    sessions: sessionmaker[Session],
) -> None:
    # Its writes absorb a second application (here: a second note), so the call is not looked
    # up nor recorded in the request log.
    writer = Writer(sessions)
    running = serve(writer)
    try:
        first = call_write(running.port, "idempotent", request_id="sent-twice")
        second = call_write(running.port, "idempotent", request_id="sent-twice")
    finally:
        running.stop(0)
    assert isinstance(first, int) and isinstance(second, int) and first != second
    assert notes(sessions) == 2
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Requests)) == 0


def test_a_control_silo_write_sent_twice_with_one_request_id_is_applied_once(
    control_silo: ControlSilo, control_server: RunningServer
) -> None:
    # The first response was delivered, so it was not kept: the second send is told the
    # request was applied, and writes nothing.
    request = user_pb2.CreateUserRequest(username="once-only", email="once@example.com")
    with open_channel(f"127.0.0.1:{control_server.port}", secret=TEST_SECRET) as channel:
        stub = user_pb2_grpc.UserServiceStub(channel)
        metadata = ((REQUEST_ID_METADATA_KEY, "the-same-request-id"),)
        stub.CreateUser(request, metadata=metadata, timeout=5)
        with pytest.raises(grpc.RpcError) as again:
            stub.CreateUser(request, metadata=metadata, timeout=5)
        with pytest.raises(grpc.RpcError) as fresh:
            stub.CreateUser(request, timeout=5)
    assert isinstance(again.value, grpc.Call) and isinstance(fresh.value, grpc.Call)
    assert again.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "already applied" in (again.value.details() or "")
    assert fresh.value.code() == grpc.StatusCode.ALREADY_EXISTS
    with control_silo.sessions() as session:
        assert session.scalar(select(func.count()).select_from(UserRow)) == 1


class _Aborted(Exception):
    pass


@dataclass
class _PastDeadline:
    """The servicer context of a call whose deadline has passed while the server has not yet
    processed the cancellation (as under load: ``is_active`` still answers True)."""

    metadata: tuple[tuple[str, str], ...]
    aborted_with: list[grpc.StatusCode] = field(default_factory=list)

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self.metadata

    def is_active(self) -> bool:
        return True

    def time_remaining(self) -> float:
        return -0.05

    def set_trailing_metadata(self, _metadata: object) -> None:
        pass

    def abort(self, code: grpc.StatusCode, _details: str) -> None:
        self.aborted_with.append(code)
        raise _Aborted

    def code(self) -> grpc.StatusCode | None:
        return self.aborted_with[-1] if self.aborted_with else None


def test_a_write_whose_deadline_passed_commits_nothing_before_the_server_notices(
    sessions: sessionmaker[Session],
) -> None:
    writer = Writer(sessions)
    plumbing = Plumbing((), access_log=LoggerAccessLog(), requests=RequestLog(sessions, Requests))
    handler = writer.service(cast(grpc.HandlerCallDetails, SimpleNamespace(method=WRITE)))
    assert handler is not None
    wrapped = plumbing.wrap(handler, WRITE)
    assert wrapped.unary_unary is not None
    context = _PastDeadline(((REQUEST_ID_METADATA_KEY, "late-call"),))

    with pytest.raises(_Aborted):
        wrapped.unary_unary(StringValue(value="late"), cast(grpc.ServicerContext, context))

    assert context.aborted_with == [grpc.StatusCode.UNAVAILABLE]
    assert notes(sessions) == 0
