"""Behaviours of the per-method plumbing that each kind of handler keeps: non-blocking response
streams on servers with and without signing, and unexpected errors in every kind of call."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from google.protobuf.wrappers_pb2 import Int64Value

from shared.rpc import streams
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer, create_server

SECRET = "plumbing-kinds-secret"
SERVICE = "silo.test.v1.PlumbingKindsService"
NUMBERS: dict[str, Any] = {
    "request_deserializer": Int64Value.FromString,
    "response_serializer": Int64Value.SerializeToString,
}


def path(name: str) -> str:
    return f"/{SERVICE}/{name}"


def non_blocking_totals(
    requests: Iterator[Int64Value],
    context: grpc.ServicerContext,
    send: Callable[[Any], None],
) -> None:
    """Answers each running total through ``send`` from a thread of its own, then ends."""

    def run() -> None:
        total = 0
        for request in requests:
            total += request.value
            send(Int64Value(value=total))
        send(None)

    threading.Thread(target=run, daemon=True).start()


def non_blocking_count(
    request: Int64Value, context: grpc.ServicerContext, send: Callable[[Any], None]
) -> None:
    """Answers 0..value-1 through ``send``, then ends."""

    def run() -> None:
        for number in range(request.value):
            send(Int64Value(value=number))
        send(None)

    threading.Thread(target=run, daemon=True).start()


setattr(non_blocking_totals, "experimental_non_blocking", True)  # noqa: B010
setattr(non_blocking_count, "experimental_non_blocking", True)  # noqa: B010


def broken_unary(request: Int64Value, context: grpc.ServicerContext) -> Int64Value:
    raise RuntimeError("secret detail 42")


def broken_stream(request: Int64Value, context: grpc.ServicerContext) -> Iterator[Int64Value]:
    yield Int64Value(value=1)
    raise RuntimeError("secret detail 42")


def broken_sum(requests: Iterator[Int64Value], context: grpc.ServicerContext) -> Int64Value:
    for _request in requests:
        pass
    raise RuntimeError("secret detail 42")


def register(server: grpc.Server) -> list[str]:
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                SERVICE,
                {
                    "Totals": grpc.stream_stream_rpc_method_handler(non_blocking_totals, **NUMBERS),
                    "Count": grpc.unary_stream_rpc_method_handler(non_blocking_count, **NUMBERS),
                    "BrokenUnary": grpc.unary_unary_rpc_method_handler(broken_unary, **NUMBERS),
                    "BrokenStream": grpc.unary_stream_rpc_method_handler(broken_stream, **NUMBERS),
                    "BrokenSum": grpc.stream_unary_rpc_method_handler(broken_sum, **NUMBERS),
                },
            ),
        )
    )
    return [SERVICE]


@pytest.fixture(params=[None, SECRET], ids=["unsigned", "signed"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[RunningServer, str | None]]:
    secret: str | None = request.param
    running = create_server(
        "127.0.0.1:0", [register], secrets=(secret,) if secret is not None else ()
    )
    yield running, secret
    running.server.stop(0).wait(5)


def test_a_non_blocking_response_stream_answers_whatever_the_signing(
    served: tuple[RunningServer, str | None],
) -> None:
    running, secret = served
    with open_channel(f"127.0.0.1:{running.port}", secret=secret) as channel:
        count = channel.unary_stream(
            path("Count"),
            request_serializer=Int64Value.SerializeToString,
            response_deserializer=Int64Value.FromString,
        )
        assert [reply.value for reply in count(Int64Value(value=3))] == [0, 1, 2]


def test_a_non_blocking_bidirectional_stream_answers_on_a_server_without_signing() -> None:
    running = create_server("127.0.0.1:0", [register], secrets=())
    try:
        with open_channel(f"127.0.0.1:{running.port}", secret=None) as channel:
            totals = streams.stream_stream(channel, path("Totals"), Int64Value)
            replies = totals(iter([Int64Value(value=1), Int64Value(value=2)]))
            assert [reply.value for reply in replies] == [1, 3]
    finally:
        running.server.stop(0).wait(5)


@pytest.mark.parametrize("method", ["BrokenUnary", "BrokenStream", "BrokenSum"])
def test_an_unexpected_error_answers_internal_with_an_error_id_and_no_detail(
    served: tuple[RunningServer, str | None], method: str
) -> None:
    running, secret = served
    with (
        open_channel(f"127.0.0.1:{running.port}", secret=secret) as channel,
        pytest.raises(grpc.RpcError) as raised,
    ):
        if method == "BrokenUnary":
            channel.unary_unary(
                path(method),
                request_serializer=Int64Value.SerializeToString,
                response_deserializer=Int64Value.FromString,
            )(Int64Value(value=1))
        elif method == "BrokenStream":
            list(
                channel.unary_stream(
                    path(method),
                    request_serializer=Int64Value.SerializeToString,
                    response_deserializer=Int64Value.FromString,
                )(Int64Value(value=1))
            )
        else:
            streams.stream_unary(channel, path(method), Int64Value)(iter([Int64Value(value=1)]))
    error: Any = raised.value
    assert error.code() == grpc.StatusCode.INTERNAL
    assert "error id" in error.details()
    assert "secret detail" not in error.details()
