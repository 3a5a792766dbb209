"""The access log: lines queued per call and written in batches (on a timer, when the server
stops, on flush), a sample of successful calls, every failed one; the call's metadata read once."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue

from shared import errors
from shared.config import ConfigError, load_settings
from shared.logs import BatchedLines
from shared.rpc import signing
from shared.rpc.access_log import (
    BatchedAccessLog,
    Entry,
    LoggerAccessLog,
    access_line,
    rpc_log,
    use_access_log,
)
from shared.rpc.channel import open_channel
from shared.rpc.server import create_server
from shared.rpc.wrapping import CallMetadata, Plumbing

SECRET = "access-log-secret"
SERVICE = "silo.test.v1.AccessLogTestService"
ECHO = f"/{SERVICE}/Echo"


class Written:
    """The batches a batched access log wrote."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.lock = threading.Lock()

    def write(self, lines: Sequence[str]) -> None:
        with self.lock:
            self.batches.append(list(lines))

    @property
    def lines(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(line) for batch in self.batches for line in batch]


def as_json(entry: Entry) -> str:
    _ended, method, code, seconds, request_id = entry
    return json.dumps(
        {"method": method, "code": code, "duration_ms": seconds * 1000, "request_id": request_id}
    )


@pytest.fixture
def info_level() -> Iterator[None]:
    level = rpc_log.level
    rpc_log.setLevel(logging.INFO)
    yield
    rpc_log.setLevel(level)


def test_lines_wait_for_a_flush_and_come_in_one_batch_in_order(info_level: None) -> None:
    written = Written()
    log = BatchedAccessLog(written.write, as_json, interval=3600)
    for number in range(5):
        log.record(f"/s/M{number}", "OK", 0.001, f"id-{number}")
    assert written.batches == []
    log.flush()
    assert len(written.batches) == 1
    assert [line["method"] for line in written.lines] == [f"/s/M{n}" for n in range(5)]
    log.flush()
    assert len(written.batches) == 1
    log.close()


def test_a_background_thread_writes_every_interval(info_level: None) -> None:
    written = Written()
    log = BatchedAccessLog(written.write, as_json, interval=0.05)
    try:
        log.record("/s/M", "OK", 0.001, "first")
        give_up = time.monotonic() + 5
        while not written.batches:
            assert time.monotonic() < give_up
            time.sleep(0.01)
        assert [line["request_id"] for line in written.lines] == ["first"]
    finally:
        log.close()


def test_closing_writes_what_is_queued(info_level: None) -> None:
    written = Written()
    log = BatchedAccessLog(written.write, as_json, interval=3600)
    log.record("/s/M", "NOT_FOUND", 0.002, None)
    log.close()
    assert [(line["method"], line["code"]) for line in written.lines] == [("/s/M", "NOT_FOUND")]


def test_a_sample_keeps_some_successful_calls_and_every_failed_one(info_level: None) -> None:
    written = Written()
    log = BatchedAccessLog(written.write, as_json, interval=3600, sample=0.0)
    for _call in range(50):
        log.record("/s/M", "OK", 0.001, None)
        log.record("/s/M", "INTERNAL", 0.001, None)
    log.close()
    assert [line["code"] for line in written.lines] == ["INTERNAL"] * 50

    written = Written()
    log = BatchedAccessLog(written.write, as_json, interval=3600, sample=0.5)
    for _call in range(400):
        log.record("/s/M", "OK", 0.001, None)
    log.close()
    assert 100 < len(written.lines) < 300


def test_nothing_is_kept_while_the_logger_is_above_info() -> None:
    written = Written()
    level = rpc_log.level
    rpc_log.setLevel(logging.WARNING)
    try:
        log = BatchedAccessLog(written.write, as_json, interval=3600)
        log.record("/s/M", "OK", 0.001, None)
        log.close()
    finally:
        rpc_log.setLevel(level)
    assert written.lines == []


@pytest.mark.parametrize("sample", [-0.1, 1.5])
def test_a_sample_outside_zero_to_one_is_refused(sample: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        BatchedAccessLog(Written().write, as_json, sample=sample)
    with pytest.raises(ValueError, match="between 0 and 1"):
        LoggerAccessLog(sample=sample)


def test_the_sample_setting() -> None:
    assert load_settings(environ={}).rpc_log_sample == 1.0
    assert load_settings(environ={"SILO_RPC_LOG_SAMPLE": "0.25"}).rpc_log_sample == 0.25
    assert load_settings(environ={"SILO_RPC_LOG_SAMPLE": "0"}).rpc_log_sample == 0.0
    with pytest.raises(ConfigError, match="SILO_RPC_LOG_SAMPLE"):
        load_settings(environ={"SILO_RPC_LOG_SAMPLE": "2"})
    with pytest.raises(ConfigError, match="SILO_RPC_LOG_SAMPLE"):
        load_settings(environ={"SILO_RPC_LOG_SAMPLE": "often"})


def test_batched_lines_look_like_logged_ones_and_are_masked() -> None:
    stream = io.StringIO()
    lines = BatchedLines(logging.StreamHandler(stream))
    ended = time.time()
    lines.write(
        [
            lines.format((ended, "/s/M", "OK", 0.0015, "a" * 32)),
            lines.format((ended, "/s/M", "INTERNAL", 0.0, "password=hunter2")),
        ]
    )
    first, second = stream.getvalue().splitlines()
    expected_stamp = logging.Formatter().formatTime(
        logging.makeLogRecord({"created": ended, "msecs": int((ended % 1) * 1000)})
    )
    assert first.startswith(f"{expected_stamp} INFO silo.rpc ")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO silo\.rpc \{.*\}", first)
    assert json.loads(first.split(" silo.rpc ", 1)[1]) == {
        "event": "rpc",
        "method": "/s/M",
        "code": "OK",
        "duration_ms": 1.5,
        "request_id": "a" * 32,
    }
    assert "hunter2" not in second


class EchoService(grpc.GenericRpcHandler):
    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        if details.method != ECHO:
            return None
        return grpc.unary_unary_rpc_method_handler(
            self.echo,
            request_deserializer=StringValue.FromString,
            response_serializer=StringValue.SerializeToString,
        )

    def echo(self, request: StringValue, context: grpc.ServicerContext) -> StringValue:
        if request.value == "missing":
            raise errors.NotFound("no such word", field="value")
        return StringValue(value=request.value.upper())


def test_a_server_writes_its_queued_lines_when_it_stops(info_level: None) -> None:
    written = Written()
    access_log = BatchedAccessLog(written.write, as_json, interval=3600)

    def register(server: grpc.Server) -> list[str]:
        server.add_generic_rpc_handlers((EchoService(),))
        return [SERVICE]

    running = create_server("127.0.0.1:0", [register], secrets=(SECRET,), access_log=access_log)
    try:
        with open_channel(f"127.0.0.1:{running.port}", secret=SECRET) as channel:
            echo = channel.unary_unary(
                ECHO,
                request_serializer=StringValue.SerializeToString,
                response_deserializer=StringValue.FromString,
            )
            assert echo(StringValue(value="hi")).value == "HI"
            with pytest.raises(grpc.RpcError):
                echo(StringValue(value="missing"))
        assert written.lines == []
    finally:
        running.stop(0)
    assert [(line["method"], line["code"]) for line in written.lines] == [
        (ECHO, "OK"),
        (ECHO, "NOT_FOUND"),
    ]
    access_log.close()


class CountingContext:
    """A servicer context that counts how often the call's metadata is read."""

    def __init__(self, metadata: tuple[tuple[str, str], ...]) -> None:
        self.metadata = metadata
        self.reads = 0
        self.status: grpc.StatusCode | None = None

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        self.reads += 1
        return self.metadata

    def code(self) -> grpc.StatusCode | None:
        return self.status

    def is_active(self) -> bool:
        return True

    def set_trailing_metadata(self, _metadata: object) -> None:
        return None

    def abort(self, code: grpc.StatusCode, _details: str) -> None:
        self.status = code
        raise RuntimeError(code)


def test_a_call_reads_its_metadata_once(info_level: None) -> None:
    written = Written()
    observed: list[tuple[str, str]] = []
    plumbing = Plumbing(
        (SECRET,),
        access_log=BatchedAccessLog(written.write, as_json, interval=3600),
        observe=lambda method, code, _seconds: observed.append((method, code)),
    )
    served = EchoService().service(_Details(ECHO))
    assert served is not None
    behavior: Any = plumbing.wrap(served, ECHO).unary_unary
    body = StringValue(value="hi").SerializeToString()
    now = str(int(time.time()))
    metadata = (
        ("user-agent", "test"),
        ("x-request-id", "r" * 32),
        *signing.signed_metadata(SECRET, ECHO, body, now, signing.new_nonce()),
    )
    context = CountingContext(metadata)
    response = behavior(body, context)
    assert response == StringValue(value="HI")
    assert context.reads == 1
    assert observed == [(ECHO, "OK")]

    replayed = CountingContext(metadata)
    with pytest.raises(RuntimeError):
        behavior(body, replayed)
    assert replayed.reads == 1
    assert replayed.status == grpc.StatusCode.UNAUTHENTICATED
    assert observed[-1] == (ECHO, "UNAUTHENTICATED")


class _Details(grpc.HandlerCallDetails):
    def __init__(self, method: str) -> None:
        self.method = method
        self.invocation_metadata = ()


def test_the_first_value_of_a_repeated_key_counts() -> None:
    call = CallMetadata(
        (
            ("x-request-id", "first"),
            ("authorization", "a"),
            ("x-request-id", "second"),
            ("x-silo-timestamp", "1"),
            ("x-silo-nonce", "n"),
            ("authorization", "b"),
            ("x-silo-timestamp", "2"),
            ("x-silo-nonce", "m"),
            ("x-request-id", "third"),
        )
    )
    assert (call.request_id, call.authorization, call.timestamp, call.nonce) == (
        "first",
        "a",
        "1",
        "n",
    )
    empty = CallMetadata(None)
    assert (empty.request_id, empty.authorization, empty.timestamp, empty.nonce) == (None,) * 4


def test_a_forked_child_writes_its_own_lines(info_level: None, tmp_path: Path) -> None:
    out = tmp_path / "child.log"

    def write(lines: Sequence[str]) -> None:
        with out.open("a") as file:
            file.write("".join(f"{line}\n" for line in lines))

    log = BatchedAccessLog(write, as_json, interval=0.05)
    log.record("/s/Parent", "OK", 0.001, None)  # starts the parent's thread
    previous = use_access_log(log)
    try:
        child = os.fork()
        if child == 0:
            log.record("/s/Child", "OK", 0.001, None)
            time.sleep(0.5)
            os._exit(0)
        os.waitpid(child, 0)
    finally:
        use_access_log(previous)
        log.close()
    methods = [json.loads(line)["method"] for line in out.read_text().splitlines()]
    assert "/s/Child" in methods


@pytest.mark.parametrize(
    ("method", "code", "seconds", "request_id"),
    [
        ("/silo.user.v1.UserService/GetUser", "OK", 0.000812345, "abc123"),
        ("/m", "NOT_FOUND", 12.5, 'quote " back \\ slash'),
        ("/m", "INTERNAL", 1e-9, "naïve ✓ \n\t\x00"),
        ("/m", "OK", 3600.0, ""),
    ],
)
def test_an_access_line_is_the_json_of_its_fields(
    method: str, code: str, seconds: float, request_id: str
) -> None:
    line = access_line(method, code, seconds, request_id or None)
    fields = json.loads(line)
    expected = {
        "event": "rpc",
        "method": method,
        "code": code,
        "duration_ms": round(seconds * 1000, 3),
        "request_id": request_id or fields["request_id"],
    }
    assert fields == expected
    assert line == json.dumps(expected)
    if not request_id:
        assert len(fields["request_id"]) == 32
