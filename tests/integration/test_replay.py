"""A signed call is accepted once: sent again (captured on the wire) it is refused, by the server
that took it and, with Redis, by every replica; a call answered UNAVAILABLE may still be retried."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
import redis
from google.protobuf.wrappers_pb2 import Int64Value, StringValue

from control_silo.bootstrap import ControlSilo
from shared import errors
from shared.generated.silo.user.v1 import user_pb2
from shared.rpc import signing, streams
from shared.rpc.channel import open_channel
from shared.rpc.replay import MemoryReplayGuard, RedisReplayGuard, ReplayGuard
from shared.rpc.server import RunningServer, create_server
from shared.services.user.model import NewUser, UserUpdate
from shared.services.user.service import UserService
from tests.conftest import TEST_SECRET

SECRET = "replay-test-secret"
SERVICE = "silo.test.v1.ReplayTestService"
UPDATE_USER = "/silo.user.v1.UserService/UpdateUser"


def path(name: str) -> str:
    return f"/{SERVICE}/{name}"


@dataclass
class Recorder(grpc.GenericRpcHandler):
    """Counts what reached each servicer; ``Flaky`` answers UNAVAILABLE to its first call."""

    calls: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        strings: dict[str, Any] = {
            "request_deserializer": StringValue.FromString,
            "response_serializer": StringValue.SerializeToString,
        }
        numbers: dict[str, Any] = {
            "request_deserializer": Int64Value.FromString,
            "response_serializer": Int64Value.SerializeToString,
        }
        handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {
            path("Echo"): grpc.unary_unary_rpc_method_handler(self.echo, **strings),
            path("Flaky"): grpc.unary_unary_rpc_method_handler(self.flaky, **strings),
            path("Sum"): grpc.stream_unary_rpc_method_handler(self.sum, **numbers),
        }
        return handlers.get(details.method)

    def note(self, name: str) -> int:
        with self.lock:
            self.calls.append(name)
            return self.calls.count(name)

    def echo(self, request: StringValue, context: grpc.ServicerContext) -> StringValue:
        self.note("Echo")
        return StringValue(value=request.value)

    def flaky(self, request: StringValue, context: grpc.ServicerContext) -> StringValue:
        if self.note("Flaky") == 1:
            raise errors.Unavailable("not yet")
        return StringValue(value=request.value)

    def sum(self, requests: Iterator[Int64Value], context: grpc.ServicerContext) -> Int64Value:
        total = sum(request.value for request in requests)
        self.note("Sum")
        return Int64Value(value=total)


def serve(recorder: Recorder, guard: ReplayGuard | None = None) -> RunningServer:
    def register(server: grpc.Server) -> list[str]:
        server.add_generic_rpc_handlers((recorder,))
        return [SERVICE]

    return create_server("127.0.0.1:0", [register], secrets=(SECRET,), replay_guard=guard)


def signed_unary(secret: str, method: str, body: bytes) -> list[tuple[str, str]]:
    """The metadata a signing client sends with one call, as an eavesdropper would capture it."""
    timestamp, nonce = str(int(time.time())), signing.new_nonce()
    return [
        (signing.TIMESTAMP_METADATA_KEY, timestamp),
        (signing.NONCE_METADATA_KEY, nonce),
        (
            signing.AUTHORIZATION_METADATA_KEY,
            signing.authorization_header(secret, method, timestamp, nonce, body),
        ),
    ]


def send_unary(address: str, method: str, body: bytes, metadata: list[tuple[str, str]]) -> Any:
    with grpc.insecure_channel(address) as channel:
        raw: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(method)
        try:
            return raw(body, metadata=tuple(metadata), timeout=5)
        except grpc.RpcError as error:
            return error


def code_of(outcome: Any) -> grpc.StatusCode:
    return outcome.code() if isinstance(outcome, grpc.RpcError) else grpc.StatusCode.OK


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def server(recorder: Recorder) -> Iterator[RunningServer]:
    running = serve(recorder)
    yield running
    running.stop(0)


def test_a_replayed_deactivation_is_refused(
    control_silo: ControlSilo, control_server: RunningServer
) -> None:
    users = control_silo.services.get(UserService)
    user = users.create_user(user=NewUser(username="replayed", email="replayed@example.com"))
    address = f"127.0.0.1:{control_server.port}"
    body = user_pb2.UpdateUserRequest(user_id=user.id, is_active=False).SerializeToString()
    captured = signed_unary(TEST_SECRET, UPDATE_USER, body)

    assert code_of(send_unary(address, UPDATE_USER, body, captured)) == grpc.StatusCode.OK
    assert users.get_user(user_id=user.id).is_active is False
    users.update_user(user_id=user.id, update=UserUpdate(is_active=True))

    replayed = send_unary(address, UPDATE_USER, body, captured)
    assert code_of(replayed) == grpc.StatusCode.UNAUTHENTICATED
    assert "already used" in replayed.details()
    assert users.get_user(user_id=user.id).is_active is True


def test_identical_calls_each_signed_afresh_all_go_through(
    server: RunningServer, recorder: Recorder
) -> None:
    with open_channel(f"127.0.0.1:{server.port}", secret=SECRET) as channel:
        echo = channel.unary_unary(
            path("Echo"),
            request_serializer=StringValue.SerializeToString,
            response_deserializer=StringValue.FromString,
        )
        for _ in range(20):
            assert echo(StringValue(value="same")).value == "same"
    assert recorder.calls.count("Echo") == 20


def test_a_call_answered_unavailable_is_retried_by_the_client_and_goes_through(
    server: RunningServer, recorder: Recorder
) -> None:
    # The channel's retry policy resends the same signed call; it did nothing the first time.
    with open_channel(f"127.0.0.1:{server.port}", secret=SECRET) as channel:
        flaky = channel.unary_unary(
            path("Flaky"),
            request_serializer=StringValue.SerializeToString,
            response_deserializer=StringValue.FromString,
        )
        assert flaky(StringValue(value="x")).value == "x"
    assert recorder.calls.count("Flaky") == 2


def test_a_replayed_request_stream_is_refused(server: RunningServer, recorder: Recorder) -> None:
    timestamp, nonce = str(int(time.time())), streams.new_nonce()
    call = streams.sign_call(SECRET, path("Sum"), timestamp, nonce)
    metadata = [
        (signing.TIMESTAMP_METADATA_KEY, timestamp),
        (streams.NONCE_METADATA_KEY, nonce),
        (signing.AUTHORIZATION_METADATA_KEY, call.authorization),
    ]
    frames = list(call.frames(Int64Value(value=n).SerializeToString() for n in (1, 2, 3)))
    outcomes: list[int | grpc.StatusCode] = []
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        add: grpc.StreamUnaryMultiCallable[bytes, Int64Value] = channel.stream_unary(
            path("Sum"), response_deserializer=Int64Value.FromString
        )
        for _ in range(2):
            try:
                outcomes.append(add(iter(frames), metadata=tuple(metadata), timeout=5).value)
            except grpc.RpcError as error:
                outcomes.append(error.code())
    assert outcomes == [6, grpc.StatusCode.UNAUTHENTICATED]
    assert recorder.calls.count("Sum") == 1


def test_a_timestamp_beyond_the_future_skew_is_refused(server: RunningServer) -> None:
    body = StringValue(value="early").SerializeToString()
    timestamp, nonce = str(int(time.time()) + 120), signing.new_nonce()
    metadata = [
        (signing.TIMESTAMP_METADATA_KEY, timestamp),
        (signing.NONCE_METADATA_KEY, nonce),
        (
            signing.AUTHORIZATION_METADATA_KEY,
            signing.authorization_header(SECRET, path("Echo"), timestamp, nonce, body),
        ),
    ]
    outcome = send_unary(f"127.0.0.1:{server.port}", path("Echo"), body, metadata)
    assert code_of(outcome) == grpc.StatusCode.UNAUTHENTICATED


def test_memory_stays_bounded_and_expired_signatures_are_forgotten() -> None:
    now = [1000.0]
    guard = MemoryReplayGuard(capacity=3, clock=lambda: now[0])
    assert [guard.claim(f"s{i}", 1010.0) for i in range(3)] == [True, True, True]
    assert guard.claim("s0", 1010.0) is False
    with pytest.raises(errors.Unavailable):
        guard.claim("s3", 1010.0)
    now[0] = 1010.0
    assert len(guard) == 0
    assert guard.claim("s0", 1020.0) is True
    guard.release("s0")
    assert guard.claim("s0", 1020.0) is True


REDIS_URL = os.environ.get("SILO_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="SILO_TEST_REDIS_URL is not set")
def test_replicas_sharing_redis_refuse_a_call_another_one_took() -> None:
    assert REDIS_URL is not None
    prefix = f"silo:test:{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(REDIS_URL)
    first, second = Recorder(), Recorder()
    servers = [serve(r, RedisReplayGuard(client, prefix)) for r in (first, second)]
    try:
        body = StringValue(value="once").SerializeToString()
        captured = signed_unary(SECRET, path("Echo"), body)
        outcomes = [
            code_of(send_unary(f"127.0.0.1:{s.port}", path("Echo"), body, captured))
            for s in servers
        ]
        assert outcomes == [grpc.StatusCode.OK, grpc.StatusCode.UNAUTHENTICATED]
        assert (first.calls, second.calls) == (["Echo"], [])
        keys = list(client.scan_iter(f"{prefix}*"))
        assert len(keys) == 1 and 0 < int(client.ttl(keys[0])) <= signing.MAX_CLOCK_SKEW_SECONDS + 2
    finally:
        for running in servers:
            running.stop(0)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
