"""Client channels: signing, request ids, deadlines, retries of unary calls on UNAVAILABLE."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple, TypeVar

import grpc

from shared.rpc import signing, streams
from shared.rpc.interceptors import REQUEST_ID_METADATA_KEY
from shared.rpc.status import error_from_rpc_error
from shared.rpc.tls import NO_TLS, TlsFiles

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


class SigningClientInterceptor(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Adds the request id and the signature to every call, and a deadline if it has none.

    A call with one request message is signed over that message; a call with a request stream gets
    a call signature and has each message framed and signed on its way out (``shared.rpc.streams``).
    Without a secret, calls carry only the request id and the deadline, and messages go unframed.
    """

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
        return continuation(self._signed_unary(client_call_details, request), request)

    def intercept_unary_stream(
        self,
        continuation: Callable[[Any, Any], Any],
        client_call_details: grpc.ClientCallDetails,
        request: Any,
    ) -> Any:
        return continuation(self._signed_unary(client_call_details, request), request)

    def intercept_stream_unary(
        self,
        continuation: Callable[[Any, Any], Any],
        client_call_details: grpc.ClientCallDetails,
        request_iterator: Iterator[Any],
    ) -> Any:
        return continuation(*self._signed_stream(client_call_details, request_iterator))

    def intercept_stream_stream(
        self,
        continuation: Callable[[Any, Any], Any],
        client_call_details: grpc.ClientCallDetails,
        request_iterator: Iterator[Any],
    ) -> Any:
        return continuation(*self._signed_stream(client_call_details, request_iterator))

    def _signed_unary(
        self, client_call_details: grpc.ClientCallDetails, request: Any
    ) -> _CallDetails:
        signature: list[tuple[str, str]] = []
        if self._secret is not None:
            method = _method_name(client_call_details)
            timestamp = str(int(self._clock()))
            nonce = signing.new_nonce()
            body = request.SerializeToString()
            signature = [
                (signing.TIMESTAMP_METADATA_KEY, timestamp),
                (signing.NONCE_METADATA_KEY, nonce),
                (
                    signing.AUTHORIZATION_METADATA_KEY,
                    signing.authorization_header(self._secret, method, timestamp, nonce, body),
                ),
            ]
        return self._details(client_call_details, signature)

    def _signed_stream(
        self, client_call_details: grpc.ClientCallDetails, requests: Iterator[Any]
    ) -> tuple[_CallDetails, Iterator[Any]]:
        if self._secret is None:
            return self._details(client_call_details, []), requests
        timestamp = str(int(self._clock()))
        nonce = streams.new_nonce()
        call = streams.sign_call(self._secret, _method_name(client_call_details), timestamp, nonce)
        signature = [
            (signing.TIMESTAMP_METADATA_KEY, timestamp),
            (streams.NONCE_METADATA_KEY, nonce),
            (signing.AUTHORIZATION_METADATA_KEY, call.authorization),
        ]
        frames = call.frames(streams.request_bytes(request) for request in requests)
        return self._details(client_call_details, signature), frames

    def _details(
        self, client_call_details: grpc.ClientCallDetails, signature: list[tuple[str, str]]
    ) -> _CallDetails:
        metadata: list[tuple[str, str]] = [
            (key, value if isinstance(value, str) else value.decode())
            for key, value in client_call_details.metadata or ()
        ]
        if not any(key == REQUEST_ID_METADATA_KEY for key, _ in metadata):
            metadata.append((REQUEST_ID_METADATA_KEY, uuid.uuid4().hex))
        metadata.extend(signature)
        return _CallDetails(
            method=client_call_details.method,
            timeout=client_call_details.timeout or self._default_timeout,
            metadata=metadata,
            credentials=client_call_details.credentials,
            wait_for_ready=client_call_details.wait_for_ready,
            compression=client_call_details.compression,
        )


def _method_name(client_call_details: grpc.ClientCallDetails) -> str:
    method = client_call_details.method
    return method.decode() if isinstance(method, bytes) else method


class SiloChannel(grpc.Channel):
    """A channel whose unary calls are retried on UNAVAILABLE and whose streaming calls never are.

    gRPC's retry policy is chosen by method name, not by kind, so the two kinds travel on two
    channels to the same address; connectivity (``subscribe``) is that of the unary one.
    """

    def __init__(self, unary: grpc.Channel, streaming: grpc.Channel) -> None:
        self._unary = unary
        self._streaming = streaming

    def subscribe(
        self, callback: Callable[[grpc.ChannelConnectivity], None], try_to_connect: bool = False
    ) -> None:
        self._unary.subscribe(callback, try_to_connect=try_to_connect)

    def unsubscribe(self, callback: Callable[[grpc.ChannelConnectivity], None]) -> None:
        self._unary.unsubscribe(callback)

    def unary_unary(
        self,
        method: str,
        request_serializer: Callable[[Any], bytes] | None = None,
        response_deserializer: Callable[[bytes], Any] | None = None,
        **private: Any,
    ) -> grpc.UnaryUnaryMultiCallable[Any, Any]:
        return self._unary.unary_unary(method, request_serializer, response_deserializer, **private)

    def unary_stream(
        self,
        method: str,
        request_serializer: Callable[[Any], bytes] | None = None,
        response_deserializer: Callable[[bytes], Any] | None = None,
        **private: Any,
    ) -> grpc.UnaryStreamMultiCallable[Any, Any]:
        return self._streaming.unary_stream(
            method, request_serializer, response_deserializer, **private
        )

    def stream_unary(
        self,
        method: str,
        request_serializer: Callable[[Any], bytes] | None = None,
        response_deserializer: Callable[[bytes], Any] | None = None,
        **private: Any,
    ) -> grpc.StreamUnaryMultiCallable[Any, Any]:
        return self._streaming.stream_unary(
            method, request_serializer, response_deserializer, **private
        )

    def stream_stream(
        self,
        method: str,
        request_serializer: Callable[[Any], bytes] | None = None,
        response_deserializer: Callable[[bytes], Any] | None = None,
        **private: Any,
    ) -> grpc.StreamStreamMultiCallable[Any, Any]:
        return self._streaming.stream_stream(
            method, request_serializer, response_deserializer, **private
        )

    def close(self) -> None:
        self._unary.close()
        self._streaming.close()

    def __enter__(self) -> SiloChannel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# Reconnect quickly once a restarted peer is back (gRPC's default backoff grows to two minutes,
# leaving a silo cut off long after its peer returned).
_RECONNECT_OPTIONS: list[tuple[str, Any]] = [
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 2000),
]


_process_tls: TlsFiles = NO_TLS


def use_tls_by_default(tls: TlsFiles) -> None:
    """Makes ``tls`` the TLS of every channel opened without one (a command sets its settings'
    files once, so every client it builds uses them)."""
    global _process_tls  # noqa: PLW0603 - one process-wide default, set at start-up
    _process_tls = tls


def _raw_channel(address: str, tls: TlsFiles, options: Sequence[tuple[str, Any]]) -> grpc.Channel:
    credentials = tls.channel_credentials()
    if credentials is None:
        return grpc.insecure_channel(address, options=options)
    return grpc.secure_channel(address, credentials, options=options)


def open_channel(
    address: str,
    *,
    secret: str | None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    tls: TlsFiles | None = None,
) -> grpc.Channel:
    """Opens a channel to a Silo server that signs with ``secret`` (the first configured one).

    Calls of every kind are signed and get ``timeout`` when they carry no deadline; unary calls are
    retried on UNAVAILABLE, streaming ones are not (a stream may have been partly acted on).
    Client-streaming and bidirectional calls are made with ``shared.rpc.streams``. The channel
    uses TLS when ``tls`` (else the process's default, see ``use_tls_by_default``) names a CA or
    a certificate.
    """
    files = _process_tls if tls is None else tls
    interceptor = SigningClientInterceptor(secret, timeout)
    retrying = _raw_channel(
        address,
        files,
        [
            ("grpc.service_config", json.dumps(_RETRY_SERVICE_CONFIG)),
            ("grpc.enable_retries", 1),
            *_RECONNECT_OPTIONS,
        ],
    )
    streaming = _raw_channel(address, files, _RECONNECT_OPTIONS)
    return SiloChannel(
        grpc.intercept_channel(retrying, interceptor),
        grpc.intercept_channel(streaming, interceptor),
    )


Response = TypeVar("Response")


def call(
    method: Callable[..., Response], request: Any, *, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> Response:
    """Calls one stub method with a deadline and turns a failed status into a domain error."""
    try:
        return method(request, timeout=timeout)
    except grpc.RpcError as error:
        raise error_from_rpc_error(error) from None
