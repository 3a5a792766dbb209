"""Every RPC the silos serve, read from the generated descriptors, and how to call one with any
request (signed, as a real client would) and get its status back."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.descriptor import Descriptor, MethodDescriptor

import shared.generated
from shared.rpc.streams import request_bytes
from shared.services.registry import SERVICES
from shared.silo_mode import SiloMode

CALL_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class Rpc:
    """One method of one service, and which silos serve it."""

    method: MethodDescriptor
    silos: tuple[SiloMode, ...]

    @property
    def path(self) -> str:
        """The gRPC path, e.g. ``/silo.user.v1.UserService/GetUser``."""
        return f"/{self.method.containing_service.full_name}/{self.method.name}"

    @property
    def input(self) -> Descriptor:
        """The request message."""
        return self.method.input_type

    @property
    def id(self) -> str:
        """A short test id, ``UserService/GetUser``."""
        return f"{self.method.containing_service.name}/{self.method.name}"


def _generated_services() -> Iterator[Any]:
    root = Path(shared.generated.__file__).parent
    for path in sorted(root.rglob("*_pb2.py")):
        name = ".".join(("shared.generated", *path.relative_to(root).with_suffix("").parts))
        yield from importlib.import_module(name).DESCRIPTOR.services_by_name.values()


def every_rpc() -> list[Rpc]:
    """Every method of every service in the generated code; a service of the registry is sent to
    the silo that owns it, any other (the relocation service) to both."""
    owners = {spec.name: spec.owner for spec in SERVICES}
    both = (SiloMode.CONTROL, SiloMode.REGION)
    return sorted(
        (
            Rpc(method, (owners[service.full_name],) if service.full_name in owners else both)
            for service in _generated_services()
            for method in service.methods
        ),
        key=lambda rpc: rpc.path,
    )


def _serialize(request: Any) -> bytes:
    return request_bytes(request) if isinstance(request, bytes) else request.SerializeToString()


def _raw(response: bytes) -> bytes:
    return response


def call(channel: grpc.Channel, rpc: Rpc, request: Any) -> tuple[grpc.StatusCode, str]:
    """Sends ``request`` (a message or a ``RawBody``) and returns the status code and details.
    A client-streaming method gets it as its only message; responses are read to the end."""
    try:
        if rpc.method.client_streaming and rpc.method.server_streaming:
            exchange = channel.stream_stream(
                rpc.path, request_serializer=request_bytes, response_deserializer=_raw
            )
            for _ in exchange(iter([request.SerializeToString()]), timeout=CALL_TIMEOUT_SECONDS):
                pass
        elif rpc.method.client_streaming:
            frames = channel.stream_unary(
                rpc.path, request_serializer=request_bytes, response_deserializer=_raw
            )
            body = request.SerializeToString()
            frames(iter([body]), timeout=CALL_TIMEOUT_SECONDS)
        elif rpc.method.server_streaming:
            stream = channel.unary_stream(
                rpc.path, request_serializer=_serialize, response_deserializer=_raw
            )
            for _ in stream(request, timeout=CALL_TIMEOUT_SECONDS):
                pass
        else:
            unary = channel.unary_unary(
                rpc.path, request_serializer=_serialize, response_deserializer=_raw
            )
            unary(request, timeout=CALL_TIMEOUT_SECONDS)
    except grpc.RpcError as error:
        code: grpc.StatusCode = error.code()
        return code, str(error.details())
    return grpc.StatusCode.OK, ""
