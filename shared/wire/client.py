"""The gRPC client of any bound service: each interface method sends its request and returns the
converted response, with the channel's deadline, and a failed status becomes a domain error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from shared.rpc.channel import DEFAULT_TIMEOUT_SECONDS, call
from shared.wire.binding import MethodBinding, ServiceBinding


class RemoteService:
    """Implements a service's interface by calling its RPCs over ``channel``.

    Build it through ``shared.services.registry`` (``remote(...)``), which types it as the
    interface. A subclass may override methods (the region's cached user reads) and call the
    remote ones through ``super()``.
    """

    def __init__(
        self,
        binding: ServiceBinding,
        channel: grpc.Channel,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self._binding = binding
        self._timeout = timeout
        self._calls = {
            name: self._caller(method, channel) for name, method in binding.methods.items()
        }

    def _caller(self, method: MethodBinding, channel: grpc.Channel) -> Callable[..., Any]:
        rpc = channel.unary_unary(
            method.path,
            request_serializer=method.request_class.SerializeToString,
            response_deserializer=method.response_class.FromString,
        )

        def invoke(**arguments: Any) -> Any:
            request = method.request_from_call(arguments)
            response = call(rpc, request, timeout=self._timeout)
            return method.result_from_response(response)

        invoke.__name__ = method.name
        invoke.__doc__ = f"Calls {method.path}."
        return invoke

    def __getattr__(self, name: str) -> Any:
        calls = self.__dict__.get("_calls", {})
        if name in calls:
            return calls[name]
        raise AttributeError(f"{type(self).__name__} has no method {name!r}")

    def __repr__(self) -> str:
        return f"<remote {self._binding.interface.__name__}>"
