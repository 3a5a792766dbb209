"""Client channels retry UNAVAILABLE (and nothing else) through gRPC's service config."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest

from shared.errors import InternalError, Unavailable
from shared.generated.silo.user.v1 import user_pb2
from shared.rpc.channel import open_channel
from shared.services.registry import remote
from shared.services.user.service import UserService


class FlakyUserService(grpc.GenericRpcHandler):
    """Answers GetUser with the given codes in turn, then with a user."""

    def __init__(self) -> None:
        self.codes: list[grpc.StatusCode] = []
        self.attempts = 0
        self.metadata: list[dict[str, str]] = []

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        if details.method != "/silo.user.v1.UserService/GetUser":
            return None

        def get_user(
            request: user_pb2.GetUserRequest, context: grpc.ServicerContext
        ) -> user_pb2.GetUserResponse:
            self.attempts += 1
            self.metadata.append({key: str(value) for key, value in details.invocation_metadata})
            if self.codes:
                context.abort(self.codes.pop(0), "flaky")
            return user_pb2.GetUserResponse(user=user_pb2.User(id=request.user_id, username="u"))

        return grpc.unary_unary_rpc_method_handler(
            get_user,
            request_deserializer=user_pb2.GetUserRequest.FromString,
            response_serializer=user_pb2.GetUserResponse.SerializeToString,
        )


@pytest.fixture
def flaky() -> Iterator[tuple[FlakyUserService, str]]:
    handler = FlakyUserService()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), handlers=[handler])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield handler, f"127.0.0.1:{port}"
    server.stop(0)


def test_unavailable_is_retried(flaky: tuple[FlakyUserService, str]) -> None:
    handler, address = flaky
    handler.codes = [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNAVAILABLE]
    client = remote(UserService, open_channel(address, secret="s"))
    assert client.get_user(user_id=7).id == 7
    assert handler.attempts == 3
    assert all("authorization" in metadata for metadata in handler.metadata)


def test_retries_give_up(flaky: tuple[FlakyUserService, str]) -> None:
    handler, address = flaky
    handler.codes = [grpc.StatusCode.UNAVAILABLE] * 10
    with pytest.raises(Unavailable):
        remote(UserService, open_channel(address, secret="s")).get_user(user_id=7)
    assert handler.attempts == 4


def test_other_failures_are_not_retried(flaky: tuple[FlakyUserService, str]) -> None:
    handler, address = flaky
    handler.codes = [grpc.StatusCode.INTERNAL]
    with pytest.raises(InternalError):
        remote(UserService, open_channel(address, secret="s")).get_user(user_id=7)
    assert handler.attempts == 1
