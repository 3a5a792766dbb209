"""Only the health and reflection services themselves answer calls without a signature; a
service whose name merely starts like theirs is signed like any other."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from shared.rpc.server import create_server

SECRET = "unsigned-services-secret"
LOOKALIKE = "grpc.reflection.Lookalike"


def _echo(request: StringValue, _context: grpc.ServicerContext) -> StringValue:
    return StringValue(value=request.value.upper())


def _register(server: grpc.Server) -> list[str]:
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                LOOKALIKE,
                {
                    "Echo": grpc.unary_unary_rpc_method_handler(
                        _echo,
                        request_deserializer=StringValue.FromString,
                        response_serializer=StringValue.SerializeToString,
                    )
                },
            ),
        )
    )
    return [LOOKALIKE]


def test_a_lookalike_service_needs_a_signature_while_health_and_reflection_do_not() -> None:
    running = create_server("127.0.0.1:0", [_register], secrets=(SECRET,))
    try:
        with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            answer = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
            reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
            listed = next(
                iter(
                    reflection.ServerReflectionInfo(
                        iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                        timeout=10,
                    )
                )
            )
            assert LOOKALIKE in {s.name for s in listed.list_services_response.service}
            echo = channel.unary_unary(
                f"/{LOOKALIKE}/Echo",
                request_serializer=StringValue.SerializeToString,
                response_deserializer=StringValue.FromString,
            )
            with pytest.raises(grpc.RpcError) as refused:
                echo(StringValue(value="hi"), timeout=10)
            assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        running.stop(0)
