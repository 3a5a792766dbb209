"""Client channels: request signing, request ids, deadlines and retries on UNAVAILABLE."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

import grpc

from shared.rpc import signing
from shared.rpc.interceptors import REQUEST_ID_METADATA_KEY
from shared.rpc.status import error_from_rpc_error

DEFAULT_TIMEOUT_SECONDS = 5.0

# Retries are declared to gRPC, never looped by hand; only UNAVAILABLE is safe to retry because
# the server never saw the call or refused it before doing any work.
_RETRY_SERVICE_CONFIG = {
    "methodConfig": [
        {
            "name": [{}],
            "retryPolicy": {
                "maxAttempts": 4,
                "initialBackoff": "0.05s",
                "maxBackoff": "1s",
                "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE"],
            },
        }
    ]
}


class _CallDetails(NamedTuple):
    method: str
    timeout: float | None
    metadata: Sequence[tuple[str, str]] | None
    credentials: grpc.CallCredentials | None
    wait_for_ready: bool | None
    compression: grpc.Compression | None


class SigningClientInterceptor(grpc.UnaryUnaryClientInterceptor):
    """Adds the timestamp, signature and request id to every call, and a deadline if it has none."""

    def __init__(
        self,
        secret: str | None,
        default_timeout: float = DEFAULT_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._default_timeout = default_timeout
        self._clock = clock

    def intercept_unary_unary(
        self,
        continuation: Callable[[Any, Any], Any],
        client_call_details: grpc.ClientCallDetails,
        request: Any,
    ) -> Any:
        method = client_call_details.method
        if isinstance(method, bytes):
            method = method.decode()
        metadata: list[tuple[str, str]] = [
            (key, value if isinstance(value, str) else value.decode())
            for key, value in client_call_details.metadata or ()
        ]
        if not any(key == REQUEST_ID_METADATA_KEY for key, _ in metadata):
            metadata.append((REQUEST_ID_METADATA_KEY, uuid.uuid4().hex))
        if self._secret is not None:
            timestamp = str(int(self._clock()))
            body = request.SerializeToString()
            metadata.append((signing.TIMESTAMP_METADATA_KEY, timestamp))
            metadata.append(
                (
                    signing.AUTHORIZATION_METADATA_KEY,
                    signing.authorization_header(self._secret, method, timestamp, body),
                )
            )
        details = _CallDetails(
            method=client_call_details.method,
            timeout=client_call_details.timeout or self._default_timeout,
            metadata=metadata,
            credentials=client_call_details.credentials,
            wait_for_ready=client_call_details.wait_for_ready,
            compression=client_call_details.compression,
        )
        return continuation(details, request)


def open_channel(
    address: str,
    *,
    secret: str | None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> grpc.Channel:
    """Opens a channel to a Silo server that signs with ``secret`` (the first configured one)."""
    channel = grpc.insecure_channel(
        address,
        options=[
            ("grpc.service_config", json.dumps(_RETRY_SERVICE_CONFIG)),
            ("grpc.enable_retries", 1),
            # Reconnect quickly once a restarted peer is back (gRPC's default backoff grows to
            # two minutes, leaving a silo cut off long after its peer returned).
            ("grpc.initial_reconnect_backoff_ms", 100),
            ("grpc.min_reconnect_backoff_ms", 100),
            ("grpc.max_reconnect_backoff_ms", 2000),
        ],
    )
    return grpc.intercept_channel(channel, SigningClientInterceptor(secret, timeout))


Response = TypeVar("Response")


def call(
    method: Callable[..., Response], request: Any, *, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> Response:
    """Calls one stub method with a deadline and turns a failed status into a domain error."""
    try:
        return method(request, timeout=timeout)
    except grpc.RpcError as error:
        raise error_from_rpc_error(error) from None
