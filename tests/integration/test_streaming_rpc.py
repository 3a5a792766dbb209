"""Every RPC kind through a real Silo server: signed, logged, errors mapped, bad streams refused."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import grpc
import pytest
from google.protobuf.wrappers_pb2 import Int64Value, StringValue
from grpc_health.v1 import health_pb2, health_pb2_grpc

from shared import errors
from shared.rpc import streams
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer, create_server
from shared.rpc.status import ERROR_FIELD_METADATA_KEY, error_from_rpc_error

SECRET = "stream-test-secret"
OLD_SECRET = "stream-test-old-secret"
SERVICE = "silo.test.v1.StreamTestService"


def path(name: str) -> str:
    return f"/{SERVICE}/{name}"


@dataclass
class Misbuilt:
    """A method handler of no kind the server knows: by default its flags name unary-unary but it
    has only a unary-stream behaviour."""

    unary_stream: Callable[[Any, grpc.ServicerContext], Any]
    request_streaming: Any = False
    response_streaming: Any = False
    request_deserializer: Any = None
    response_serializer: Any = None
    unary_unary: Any = None
    stream_unary: Any = None
    stream_stream: Any = None


@dataclass
class StreamTestService(grpc.GenericRpcHandler):
    """A test-only service with a method of each kind; it records what its servicers saw."""

    seen: list[int] = field(default_factory=list)
    committed: list[int] = field(default_factory=list)
    spelled: list[str] = field(default_factory=list)
    after_refusal: list[str] = field(default_factory=list)
    attempts: Counter[str] = field(default_factory=Counter)
    lookups: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        with self.lock:
            self.lookups[details.method] += 1
        return self.handlers().get(details.method)

    def handlers(self) -> dict[str, grpc.RpcMethodHandler[Any, Any]]:
        strings: dict[str, Any] = {
            "request_deserializer": StringValue.FromString,
            "response_serializer": StringValue.SerializeToString,
        }
        numbers: dict[str, Any] = {
            "request_deserializer": Int64Value.FromString,
            "response_serializer": Int64Value.SerializeToString,
        }
        return {
            path("Echo"): grpc.unary_unary_rpc_method_handler(self.echo, **strings),
            path("Spell"): grpc.unary_stream_rpc_method_handler(self.spell, **strings),
            path("Sum"): grpc.stream_unary_rpc_method_handler(self.sum, **numbers),
            path("Totals"): grpc.stream_stream_rpc_method_handler(self.totals, **numbers),
            path("Lenient"): grpc.stream_unary_rpc_method_handler(self.lenient, **numbers),
            path("Remaining"): grpc.stream_unary_rpc_method_handler(self.remaining, **numbers),
            path("FlakySum"): grpc.stream_unary_rpc_method_handler(self.flaky_sum, **numbers),
            path("FlakySpell"): grpc.unary_stream_rpc_method_handler(self.flaky_spell, **strings),
            path("Misbuilt"): cast("grpc.RpcMethodHandler[Any, Any]", Misbuilt(self.misbuilt)),
            # Flags that are not booleans: gRPC would run unary_unary, but that is a guess.
            path("Unflagged"): cast(
                "grpc.RpcMethodHandler[Any, Any]",
                Misbuilt(self.misbuilt, request_streaming=None, unary_unary=self.misbuilt),
            ),
        }

    def record(self, value: int) -> None:
        with self.lock:
            self.seen.append(value)
        if value == 404:
            raise errors.NotFound("no such item", field="value")

    def echo(self, request: StringValue, context: grpc.ServicerContext) -> StringValue:
        return StringValue(value=request.value.upper())

    def spell(self, request: StringValue, context: grpc.ServicerContext) -> Iterator[StringValue]:
        self.spelled.append(request.value)
        for letter in request.value:
            yield StringValue(value=letter)
        if request.value == "missing":
            raise errors.NotFound("no such word", field="word")

    def sum(self, requests: Iterator[Int64Value], context: grpc.ServicerContext) -> Int64Value:
        total = 0
        for request in requests:
            self.record(request.value)
            total += request.value
        # Written only once the whole stream checked out, as a servicer that commits must.
        self.committed.append(total)
        return Int64Value(value=total)

    def totals(
        self, requests: Iterator[Int64Value], context: grpc.ServicerContext
    ) -> Iterator[Int64Value]:
        total = 0
        for request in requests:
            self.record(request.value)
            total += request.value
            yield Int64Value(value=total)
        self.committed.append(total)

    def lenient(self, requests: Iterator[Int64Value], context: grpc.ServicerContext) -> Int64Value:
        """Swallows every error of its request stream and answers how many messages it read."""
        count = 0
        try:
            for request in requests:
                self.record(request.value)
                count += 1
        except errors.SiloError:
            pass
        try:
            count += sum(1 for _ in requests)
            self.after_refusal.append("ended")
        except errors.SiloError:
            self.after_refusal.append("raised")
        return Int64Value(value=count)

    def remaining(
        self, requests: Iterator[Int64Value], context: grpc.ServicerContext
    ) -> Int64Value:
        for _request in requests:
            pass
        return Int64Value(value=int((context.time_remaining() or 0) * 1000))

    def flaky_sum(
        self, requests: Iterator[Int64Value], context: grpc.ServicerContext
    ) -> Int64Value:
        with self.lock:
            self.attempts["FlakySum"] += 1
        raise errors.Unavailable("try again")

    def flaky_spell(
        self, request: StringValue, context: grpc.ServicerContext
    ) -> Iterator[StringValue]:
        with self.lock:
            self.attempts["FlakySpell"] += 1
        yield from ()
        raise errors.Unavailable("try again")

    def misbuilt(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.lock:
            self.attempts["Misbuilt"] += 1
        return StringValue(value="served")


@dataclass
class Served:
    service: StreamTestService
    server: RunningServer
    observed: list[tuple[str, str]]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.port}"


@pytest.fixture
def served() -> Iterator[Served]:
    service = StreamTestService()
    observed: list[tuple[str, str]] = []

    def register(server: grpc.Server) -> list[str]:
        server.add_generic_rpc_handlers((service,))
        return [SERVICE]

    running = create_server(
        "127.0.0.1:0",
        [register],
        secrets=(SECRET, OLD_SECRET),
        observe=lambda method, code, _seconds: observed.append((method, code)),
    )
    yield Served(service, running, observed)
    # Bounded: gRPC can fail to finish stopping after it could not parse a streamed request.
    running.server.stop(0).wait(5)


def numbers(*values: int) -> Iterator[Int64Value]:
    return (Int64Value(value=value) for value in values)


def failure(run: Callable[[], object]) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as raised:
        run()
    return raised.value


def code_of(error: grpc.RpcError) -> grpc.StatusCode:
    return cast(grpc.Call, error).code()


def test_signed_calls_of_every_kind_succeed(served: Served) -> None:
    for secret in (SECRET, OLD_SECRET):
        channel = open_channel(served.address, secret=secret)
        echo = channel.unary_unary(
            path("Echo"),
            request_serializer=StringValue.SerializeToString,
            response_deserializer=StringValue.FromString,
        )
        assert echo(StringValue(value="hi")).value == "HI"
        spell = channel.unary_stream(
            path("Spell"),
            request_serializer=StringValue.SerializeToString,
            response_deserializer=StringValue.FromString,
        )
        assert [letter.value for letter in spell(StringValue(value="abc"))] == ["a", "b", "c"]
        add = streams.stream_unary(channel, path("Sum"), Int64Value)
        assert add(numbers(1, 2, 3)).value == 6
        assert add(iter(())).value == 0
        totals = streams.stream_stream(channel, path("Totals"), Int64Value)
        assert [total.value for total in totals(numbers(1, 2, 3))] == [1, 3, 6]
        channel.close()
    assert served.service.seen == [1, 2, 3, 1, 2, 3] * 2
    assert served.service.committed == [6, 0, 6] * 2


def assert_streaming_calls_refused(channel: grpc.Channel) -> None:
    spell = channel.unary_stream(
        path("Spell"),
        request_serializer=StringValue.SerializeToString,
        response_deserializer=StringValue.FromString,
    )
    error = failure(lambda: list(spell(StringValue(value="abc"), timeout=5)))
    assert code_of(error) == grpc.StatusCode.UNAUTHENTICATED
    add = streams.stream_unary(channel, path("Sum"), Int64Value)
    error = failure(lambda: add(numbers(1, 2), timeout=5))
    assert code_of(error) == grpc.StatusCode.UNAUTHENTICATED
    totals = streams.stream_stream(channel, path("Totals"), Int64Value)
    error = failure(lambda: list(totals(numbers(1, 2), timeout=5)))
    assert code_of(error) == grpc.StatusCode.UNAUTHENTICATED


def test_unsigned_and_wrongly_signed_calls_are_refused(served: Served) -> None:
    with grpc.insecure_channel(served.address) as plain:
        assert_streaming_calls_refused(plain)
    with open_channel(served.address, secret="not-the-secret") as wrong:
        assert_streaming_calls_refused(wrong)
    assert served.service.spelled == []
    assert served.service.seen == []


def signed_frames(
    method: str, values: Iterable[int | bytes], nonce: str
) -> tuple[list[bytes], Any]:
    """The frames and the metadata of a correctly signed call of numbers (or of payloads given as
    bytes), to be tampered with."""
    timestamp = str(int(time.time()))
    call = streams.sign_call(SECRET, method, timestamp, nonce)
    payloads = [
        value if isinstance(value, bytes) else Int64Value(value=value).SerializeToString()
        for value in values
    ]
    metadata = (
        ("x-silo-timestamp", timestamp),
        ("x-silo-nonce", nonce),
        ("authorization", call.authorization),
    )
    return list(call.frames(payloads)), metadata


def flip_last_byte(frame: bytes) -> bytes:
    return frame[:-1] + bytes([frame[-1] ^ 0x01])


def flip_mac_byte(frame: bytes) -> bytes:
    return frame[:10] + bytes([frame[10] ^ 0x01]) + frame[11:]


# Each attack on the frames f of the values 1, 2, 3 (the end frame is f[3]), given the frames o
# of another call of 7, 8, 9, with the values a servicer may see before the refusal.
ATTACKS: dict[str, tuple[Callable[[list[bytes], list[bytes]], list[bytes]], list[int]]] = {
    "changed payload byte": (lambda f, _o: [f[0], flip_last_byte(f[1]), f[2], f[3]], [1]),
    "changed mac byte": (lambda f, _o: [f[0], flip_mac_byte(f[1]), f[2], f[3]], [1]),
    "reordered": (lambda f, _o: [f[0], f[2], f[1], f[3]], [1]),
    "dropped middle": (lambda f, _o: [f[0], f[2], f[3]], [1]),
    "duplicated": (lambda f, _o: [f[0], f[0], f[1], f[2], f[3]], [1]),
    "missing end": (lambda f, _o: f[:3], [1, 2, 3]),
    "dropped trailing": (lambda f, _o: f[:2], [1, 2]),
    "dropped trailing, old end": (lambda f, _o: [f[0], f[1], f[3]], [1, 2]),
    "after the end": (lambda f, _o: [*f, f[3]], [1, 2, 3]),
    "frame of another call": (lambda f, o: [f[0], o[1], f[2], f[3]], [1]),
    "stream of another call": (lambda _f, o: o, []),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
@pytest.mark.parametrize("method", ["Sum", "Totals"])
def test_tampered_streams_are_refused(served: Served, method: str, attack: str) -> None:
    tamper, verified = ATTACKS[attack]
    frames, metadata = signed_frames(path(method), [1, 2, 3], streams.new_nonce())
    other, _ = signed_frames(path(method), [7, 8, 9], streams.new_nonce())
    sent = tamper(frames, other)
    # A channel without the signing interceptor, so the frames go out exactly as built here.
    with grpc.insecure_channel(served.address) as plain:
        if method == "Sum":
            add = streams.stream_unary(plain, path(method), Int64Value)
            error = failure(lambda: add(iter(sent), metadata=metadata, timeout=5))
        else:
            totals = streams.stream_stream(plain, path(method), Int64Value)
            error = failure(lambda: list(totals(iter(sent), metadata=metadata, timeout=5)))
    assert code_of(error) == grpc.StatusCode.UNAUTHENTICATED
    assert served.service.seen == verified
    assert served.service.committed == []


def test_the_untampered_stream_goes_through(served: Served) -> None:
    frames, metadata = signed_frames(path("Sum"), [1, 2, 3], streams.new_nonce())
    with grpc.insecure_channel(served.address) as plain:
        add = streams.stream_unary(plain, path("Sum"), Int64Value)
        assert add(iter(frames), metadata=metadata, timeout=5).value == 6
    assert served.service.committed == [6]


def test_a_signed_message_that_does_not_parse_is_invalid(served: Served) -> None:
    frames, metadata = signed_frames(path("Sum"), [1, b"\x00not protobuf"], streams.new_nonce())
    with grpc.insecure_channel(served.address) as plain:
        add = streams.stream_unary(plain, path("Sum"), Int64Value)
        error = failure(lambda: add(iter(frames), metadata=metadata, timeout=5))
    assert code_of(error) == grpc.StatusCode.INVALID_ARGUMENT
    assert served.service.seen == [1]


def test_a_servicer_that_swallows_the_refusal_still_fails_the_call(served: Served) -> None:
    frames, metadata = signed_frames(path("Lenient"), [1, 2, 3], streams.new_nonce())
    with grpc.insecure_channel(served.address) as plain:
        lenient = streams.stream_unary(plain, path("Lenient"), Int64Value)
        error = failure(lambda: lenient(iter(frames[:2]), metadata=metadata, timeout=5))
    assert code_of(error) == grpc.StatusCode.UNAUTHENTICATED
    assert served.service.seen == [1, 2]
    # Reading on after the refusal raises it again instead of ending the stream quietly.
    assert served.service.after_refusal == ["raised"]


def test_domain_errors_raised_mid_stream_keep_their_code_and_field(served: Served) -> None:
    channel = open_channel(served.address, secret=SECRET)
    spell = channel.unary_stream(
        path("Spell"),
        request_serializer=StringValue.SerializeToString,
        response_deserializer=StringValue.FromString,
    )
    received: list[str] = []

    def read_spelling() -> None:
        received.extend(letter.value for letter in spell(StringValue(value="missing")))

    error = failure(read_spelling)
    assert received == list("missing")
    assert code_of(error) == grpc.StatusCode.NOT_FOUND
    assert (ERROR_FIELD_METADATA_KEY, "word") in (cast(grpc.Call, error).trailing_metadata() or ())
    assert error_from_rpc_error(error) == errors.NotFound("no such word", field="word")

    add = streams.stream_unary(channel, path("Sum"), Int64Value)
    error = failure(lambda: add(numbers(1, 404, 3)))
    assert code_of(error) == grpc.StatusCode.NOT_FOUND
    assert error_from_rpc_error(error) == errors.NotFound("no such item", field="value")

    totals = streams.stream_stream(channel, path("Totals"), Int64Value)
    error = failure(lambda: list(totals(numbers(1, 404))))
    assert error_from_rpc_error(error) == errors.NotFound("no such item", field="value")
    assert served.service.committed == []
    channel.close()


class Collected(logging.Handler):
    """Keeps the RPC log lines."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.all_lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.all_lines.append(json.loads(record.getMessage()))

    def about(self, prefix: str) -> list[dict[str, Any]]:
        return [line for line in list(self.all_lines) if line["method"].startswith(prefix)]

    @property
    def lines(self) -> list[dict[str, Any]]:
        """The lines about the test service."""
        return self.about(f"/{SERVICE}/")


@pytest.fixture
def rpc_log() -> Iterator[Collected]:
    # A handler on the logger itself: the "silo" logger stops propagation once logging is set up.
    logger = logging.getLogger("silo.rpc")
    handler, level = Collected(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_one_log_line_and_one_observation_per_streaming_rpc(
    served: Served, rpc_log: Collected
) -> None:
    with open_channel(served.address, secret=SECRET) as channel:
        spell = channel.unary_stream(
            path("Spell"),
            request_serializer=StringValue.SerializeToString,
            response_deserializer=StringValue.FromString,
        )
        assert len(list(spell(StringValue(value="ok")))) == 2
        failure(lambda: list(spell(StringValue(value="missing"))))
        assert streams.stream_unary(channel, path("Sum"), Int64Value)(numbers(1)).value == 1
        list(streams.stream_stream(channel, path("Totals"), Int64Value)(numbers(1, 2)))
    with grpc.insecure_channel(served.address) as plain:
        unsigned = streams.stream_unary(plain, path("Sum"), Int64Value)
        failure(lambda: unsigned(numbers(1), timeout=5))

    expected = [
        (path("Spell"), "OK"),
        (path("Spell"), "NOT_FOUND"),
        (path("Sum"), "OK"),
        (path("Totals"), "OK"),
        (path("Sum"), "UNAUTHENTICATED"),
    ]
    lines = rpc_log.lines
    assert [(line["method"], line["code"]) for line in lines] == expected
    assert all(line["duration_ms"] >= 0 and len(line["request_id"]) == 32 for line in lines)
    assert [entry for entry in served.observed if entry[0].startswith(f"/{SERVICE}/")] == expected


@pytest.mark.parametrize("method", ["Misbuilt", "Unflagged"])
def test_a_handler_of_an_unknown_kind_is_refused(
    served: Served, rpc_log: Collected, method: str
) -> None:
    with open_channel(served.address, secret=SECRET) as channel:
        misbuilt = channel.unary_unary(
            path(method),
            request_serializer=StringValue.SerializeToString,
            response_deserializer=StringValue.FromString,
        )
        for _attempt in range(2):
            error = failure(lambda: misbuilt(StringValue(value="x")))
            assert code_of(error) == grpc.StatusCode.UNIMPLEMENTED
    assert served.service.attempts["Misbuilt"] == 0
    assert [line["code"] for line in rpc_log.lines] == ["UNIMPLEMENTED"] * 2


def test_handlers_are_looked_up_once_per_existing_method_only(served: Served) -> None:
    with open_channel(served.address, secret=SECRET) as channel:
        add = streams.stream_unary(channel, path("Sum"), Int64Value)
        nothing = streams.stream_unary(channel, path("Nothing"), Int64Value)
        for _call in range(3):
            assert add(numbers(1)).value == 1
            assert code_of(failure(lambda: nothing(numbers(1)))) == grpc.StatusCode.UNIMPLEMENTED
    assert served.service.lookups[path("Sum")] == 1
    assert served.service.lookups[path("Nothing")] == 3


def test_streaming_calls_are_not_retried(served: Served) -> None:
    with open_channel(served.address, secret=SECRET) as channel:
        flaky_sum = streams.stream_unary(channel, path("FlakySum"), Int64Value)
        assert code_of(failure(lambda: flaky_sum(numbers(1)))) == grpc.StatusCode.UNAVAILABLE
        flaky_spell = channel.unary_stream(
            path("FlakySpell"),
            request_serializer=StringValue.SerializeToString,
            response_deserializer=StringValue.FromString,
        )
        error = failure(lambda: list(flaky_spell(StringValue(value="x"))))
        assert code_of(error) == grpc.StatusCode.UNAVAILABLE
    assert served.service.attempts == Counter({"FlakySum": 1, "FlakySpell": 1})


def test_streaming_calls_get_the_channel_default_deadline(served: Served) -> None:
    with open_channel(served.address, secret=SECRET, timeout=2.0) as channel:
        remaining = streams.stream_unary(channel, path("Remaining"), Int64Value)
        # gRPC rounds a deadline up as it sends it, hence the margins.
        assert 0 < remaining(numbers(1)).value <= 2500
        assert 2500 < remaining(numbers(1), timeout=30).value <= 31000


def test_health_watches_are_logged_and_hold_no_server_thread(rpc_log: Collected) -> None:
    running = create_server("127.0.0.1:0", [], secrets=(SECRET,), max_workers=2)
    serving = health_pb2.HealthCheckResponse.SERVING
    try:
        with grpc.insecure_channel(f"127.0.0.1:{running.port}") as plain:
            health = health_pb2_grpc.HealthStub(plain)
            watches = [
                health.Watch(health_pb2.HealthCheckRequest(service=""), timeout=10)
                for _watch in range(3)
            ]
            assert [next(watch).status for watch in watches] == [serving] * 3
            # Were each watch holding one of the two server threads, this would wait in vain.
            assert health.Check(health_pb2.HealthCheckRequest(), timeout=2).status == serving
            time.sleep(0.2)
            for watch in watches:
                watch.cancel()
            give_up = time.monotonic() + 5
            while len(rpc_log.about("/grpc.health.v1.Health/Watch")) < 3:
                assert time.monotonic() < give_up
                time.sleep(0.01)
    finally:
        running.server.stop(0).wait(5)
    watch_lines = rpc_log.about("/grpc.health.v1.Health/Watch")
    # Written when each watch ended, not when its behaviour returned.
    assert [line["code"] for line in watch_lines] == ["CANCELLED"] * 3
    assert all(line["duration_ms"] >= 200 for line in watch_lines)
    assert [line["code"] for line in rpc_log.about("/grpc.health.v1.Health/Check")] == ["OK"]
