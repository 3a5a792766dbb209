"""Serves any bound service from an implementation of its interface: each RPC's request becomes
the method's keyword arguments and its result the response; domain errors are left to the
server's per-method wrapper (``shared.rpc.wrapping``), which turns them into statuses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import grpc
from google.protobuf.message import Message

from shared import validation
from shared.rpc.server import Registration
from shared.wire.binding import MethodBinding, ServiceBinding
from shared.wire.reuse import ResponseReuse


def _handler(method: MethodBinding, implementation: Any) -> grpc.RpcMethodHandler[Any, Any]:
    function = getattr(implementation, method.name)
    # A cached result handed out again keeps its message (``shared.wire.reuse``).
    response_from_result = ResponseReuse(method.response_from_result)
    checks_strings = validation.carries_strings(method.rpc.input_type)

    def behavior(request: Message, context: grpc.ServicerContext) -> Message:
        if checks_strings:
            validation.request_strings(request)
        return response_from_result(function(**method.arguments_from_request(request)))

    return grpc.unary_unary_rpc_method_handler(
        behavior,
        request_deserializer=method.request_class.FromString,
        response_serializer=method.response_class.SerializeToString,
    )


def method_handlers(
    binding: ServiceBinding, implementation: Any
) -> dict[str, grpc.RpcMethodHandler[Any, Any]]:
    """The handler of every RPC of ``binding``'s service by method name, calling
    ``implementation``."""
    return {
        method.rpc.name: _handler(method, implementation) for method in binding.methods.values()
    }


def service_handler(binding: ServiceBinding, implementation: Any) -> grpc.GenericRpcHandler:
    """The handler of every RPC of ``binding``'s service, calling ``implementation``."""
    return grpc.method_handlers_generic_handler(
        binding.full_name, method_handlers(binding, implementation)
    )


def registration(binding: ServiceBinding, implementation: Any) -> Registration:
    """A server registration serving ``binding``'s service from ``implementation``; its methods
    are registered by name, so gRPC finds a call's handler without asking generic handlers."""

    def register(server: grpc.Server) -> Sequence[str]:
        server.add_registered_method_handlers(
            binding.full_name, method_handlers(binding, implementation)
        )
        return [binding.full_name]

    return register
