"""A method added to a running server is served with the same plumbing as those registered
before it started: signature checked, access-log line and metrics written."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue

from shared.rpc.channel import open_channel
from shared.rpc.server import create_server

SECRET = "late-handlers-secret"
SERVICE = "silo.test.v1.LateService"


def echo(request: StringValue, context: grpc.ServicerContext) -> StringValue:
    return StringValue(value=request.value)


def late_service() -> grpc.GenericRpcHandler:
    return grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "Echo": grpc.unary_unary_rpc_method_handler(
                echo,
                request_deserializer=StringValue.FromString,
                response_serializer=StringValue.SerializeToString,
            )
        },
    )


def test_a_method_added_after_start_still_needs_a_signature() -> None:
    observed: list[tuple[str, str]] = []
    running = create_server(
        "127.0.0.1:0",
        [],
        secrets=(SECRET,),
        observe=lambda method, code, _seconds: observed.append((method, code)),
    )
    try:
        running.server.add_generic_rpc_handlers((late_service(),))
        address = f"127.0.0.1:{running.port}"
        with open_channel(address, secret=None) as channel:
            unsigned = channel.unary_unary(
                f"/{SERVICE}/Echo",
                request_serializer=StringValue.SerializeToString,
                response_deserializer=StringValue.FromString,
            )
            with pytest.raises(grpc.RpcError) as raised:
                unsigned(StringValue(value="hi"))
        error: grpc.Call = raised.value  # type: ignore[assignment]
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED
        with open_channel(address, secret=SECRET) as channel:
            signed = channel.unary_unary(
                f"/{SERVICE}/Echo",
                request_serializer=StringValue.SerializeToString,
                response_deserializer=StringValue.FromString,
            )
            assert signed(StringValue(value="hi")).value == "hi"
        assert observed == [
            (f"/{SERVICE}/Echo", "UNAUTHENTICATED"),
            (f"/{SERVICE}/Echo", "OK"),
        ]
    finally:
        running.server.stop(0).wait(5)
