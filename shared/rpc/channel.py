"""Client channels: signing, request ids, deadlines, retries of unary calls on UNAVAILABLE."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import grpc
from typing_extensions import override

from shared.rpc import signing, streams
from shared.rpc.status import error_from_rpc_error
from shared.rpc.tls import NO_TLS, TlsFiles
from shared.rpc.wrapping import REQUEST_ID_METADATA_KEY

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


Metadata = Sequence[tuple[str, str | bytes]]


class CallSigner:
    """Builds the metadata of each call: the caller's own, an ``x-request-id`` unless the caller
    gave one, and the signature (when there is a secret); and the deadline, when the call has
    none.

    A call with one request message is signed over that message's bytes; a call with a request
    stream gets a call signature and has each message framed and signed on its way out
    (``shared.rpc.streams``). Without a secret, calls carry only the request id and the deadline,
    and messages go unframed.
    """

    def __init__(
        self,
        secret: str | None,
        default_timeout: float = DEFAULT_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._key = None if secret is None else signing.SecretKey(secret)
        self._default_timeout = default_timeout
        self._clock = clock

    def timeout(self, timeout: float | None) -> float:
        """The deadline of a call given ``timeout`` (the default when it has none)."""
        return timeout or self._default_timeout

    def unary(self, method: str, body: bytes, metadata: Metadata | None) -> tuple[Any, ...]:
        """The metadata of a call of ``method`` with the request ``body``."""
        # One read of the random source for the request id and the nonce.
        fresh = os.urandom(32).hex()
        request_id, nonce = fresh[:32], fresh[32:]
        given = _given(metadata, request_id)
        if self._key is None:
            return given
        timestamp = str(int(self._clock()))
        return given + self._key.signed_metadata(method, body, timestamp, nonce)

    def stream(
        self, method: str, requests: Iterator[Any], metadata: Metadata | None
    ) -> tuple[tuple[Any, ...], Iterator[Any]]:
        """The metadata of a request-stream call of ``method`` and the frames to send."""
        given = _given(metadata, uuid.uuid4().hex)
        if self._secret is None:
            return given, requests
        timestamp = str(int(self._clock()))
        nonce = streams.new_nonce()
        call = streams.sign_call(self._secret, method, timestamp, nonce)
        signature = (
            (signing.TIMESTAMP_METADATA_KEY, timestamp),
            (streams.NONCE_METADATA_KEY, nonce),
            (signing.AUTHORIZATION_METADATA_KEY, call.authorization),
        )
        frames = call.frames(streams.request_bytes(request) for request in requests)
        return given + signature, frames


def _given(metadata: Metadata | None, request_id: str) -> tuple[Any, ...]:
    """The caller's metadata as text, with ``request_id`` unless it carries one."""
    if not metadata:
        return ((REQUEST_ID_METADATA_KEY, request_id),)
    entries = tuple(
        (key, value if isinstance(value, str) else value.decode()) for key, value in metadata
    )
    if any(key == REQUEST_ID_METADATA_KEY for key, _ in entries):
        return entries
    return (*entries, (REQUEST_ID_METADATA_KEY, request_id))


def _serializer(serialize: Callable[[Any], bytes] | None) -> Callable[[Any], bytes]:
    return serialize if serialize is not None else bytes


class _SignedUnaryUnary(grpc.UnaryUnaryMultiCallable):  # type: ignore[type-arg]
    """A unary call that serializes its request once, signs those bytes and sends them."""

    def __init__(
        self,
        raw: grpc.UnaryUnaryMultiCallable,  # type: ignore[type-arg]
        method: str,
        serialize: Callable[[Any], bytes] | None,
        signer: CallSigner,
    ) -> None:
        self._raw = raw
        self._method = method
        self._serialize = _serializer(serialize)
        self._signer = signer

    def _prepared(
        self, request: Any, timeout: float | None, metadata: Metadata | None
    ) -> tuple[bytes, float, tuple[Any, ...]]:
        body = self._serialize(request)
        signer = self._signer
        return body, signer.timeout(timeout), signer.unary(self._method, body, metadata)

    @override
    def __call__(
        self,
        request: Any,
        timeout: float | None = None,
        metadata: Metadata | None = None,
        credentials: grpc.CallCredentials | None = None,
        wait_for_ready: bool | None = None,
        compression: grpc.Compression | None = None,
    ) -> Any:
        body, deadline, signed = self._prepared(request, timeout, metadata)
        return self._raw(body, deadline, signed, credentials, wait_for_ready, compression)

    @override
    def with_call(
        self,
        request: Any,
        timeout: float | None = None,
        metadata: Metadata | None = None,
        credentials: grpc.CallCredentials | None = None,
        wait_for_ready: bool | None = None,
        compression: grpc.Compression | None = None,
    ) -> Any:
        body, deadline, signed = self._prepared(request, timeout, metadata)
        return self._raw.with_call(body, deadline, signed, credentials, wait_for_ready, compression)

    @override
    def future(
        self,
        request: Any,
        timeout: float | None = None,
        metadata: Metadata | None = None,
        credentials: grpc.CallCredentials | None = None,
        wait_for_ready: bool | None = None,
        compression: grpc.Compression | None = None,
    ) -> Any:
        body, deadline, signed = self._prepared(request, timeout, metadata)
        return self._raw.future(body, deadline, signed, credentials, wait_for_ready, compression)


class _SignedUnaryStream(grpc.UnaryStreamMultiCallable):  # type: ignore[type-arg]
    """A server-streaming call signed like a unary one."""

    def __init__(
        self,
        raw: grpc.UnaryStreamMultiCallable,  # type: ignore[type-arg]
        method: str,
        serialize: Callable[[Any], bytes] | None,
        signer: CallSigner,
    ) -> None:
        self._raw = raw
        self._method = method
        self._serialize = _serializer(serialize)
        self._signer = signer

    @override
    def __call__(
        self,
        request: Any,
        timeout: float | None = None,
        metadata: Metadata | None = None,
        credentials: grpc.CallCredentials | None = None,
        wait_for_ready: bool | None = None,
        compression: grpc.Compression | None = None,
    ) -> Any:
        body = self._serialize(request)
        signed = self._signer.unary(self._method, body, metadata)
        deadline = self._signer.timeout(timeout)
        return self._raw(body, deadline, signed, credentials, wait_for_ready, compression)


class _SignedStreamUnary(grpc.StreamUnaryMultiCallable):  # type: ignore[type-arg]
    """A client-streaming call with a call signature and signed frames."""

    def __init__(
        self,
        raw: grpc.StreamUnaryMultiCallable,  # type: ignore[type-arg]
        method: str,
        signer: CallSigner,
    ) -> None:
        self._raw = raw
        self._method = method
        self._signer = signer

    def _prepared(
        self, requests: Iterator[Any], timeout: float | None, metadata: Metadata | None
    ) -> tuple[Iterator[Any], float, tuple[Any, ...]]:
        signed, frames = self._signer.stream(self._method, requests, metadata)
        return frames, self._signer.timeout(timeout), signed

    @override
    def __call__(
        self,
        request_iterator: Iterator[Any],
        timeout: float | None = None,
        metadata: Metadata | None = None,
        credentials: grpc.CallCredentials | None = None,
        wait_for_ready: bool | None = None,
        compression: grpc.Compression | None = None,
    ) -> Any:
        frames, deadline, signed = self._prepared(request_iterator, timeout, metadata)
        return self._raw(frames, deadline, signed, credentials, wait_for_ready, compression)

    @override
    def with_call(
        self,
        request_iterator: Iterator[Any],
        timeout: float | None = None,
        metadata: Metadata | None = None,
        credentials: grpc.CallCredentials | None = None,
        wait_for_ready: bool | None = None,
        compression: grpc.Compression | None = None,
    ) -> Any:
        frames, deadline, signed = self._prepared(request_iterator, timeout, metadata)
        return self._raw.with_call(
            frames, deadline, signed, credentials, wait_for_ready, compression
        )

    @override
    def future(
        self,
        request_iterator: Iterator[Any],
        timeout: float | None = None,
        metadata: Metadata | None = None,
        credentials: grpc.CallCredentials | None = None,
        wait_for_ready: bool | None = None,
        compression: grpc.Compression | None = None,
    ) -> Any:
        frames, deadline, signed = self._prepared(request_iterator, timeout, metadata)
        return self._raw.future(frames, deadline, signed, credentials, wait_for_ready, compression)


class _SignedStreamStream(grpc.StreamStreamMultiCallable):  # type: ignore[type-arg]
    """A bidirectional call with a call signature and signed frames."""

    def __init__(
        self,
        raw: grpc.StreamStreamMultiCallable,  # type: ignore[type-arg]
        method: str,
        signer: CallSigner,
    ) -> None:
        self._raw = raw
        self._method = method
        self._signer = signer

    @override
    def __call__(
        self,
        request_iterator: Iterator[Any],
        timeout: float | None = None,
        metadata: Metadata | None = None,
        credentials: grpc.CallCredentials | None = None,
        wait_for_ready: bool | None = None,
        compression: grpc.Compression | None = None,
    ) -> Any:
        signed, frames = self._signer.stream(self._method, request_iterator, metadata)
        deadline = self._signer.timeout(timeout)
        return self._raw(frames, deadline, signed, credentials, wait_for_ready, compression)


def _method_name(method: str | bytes) -> str:
    return method.decode() if isinstance(method, bytes) else method


class SiloChannel(grpc.Channel):
    """A channel that signs every call as it makes it, whose unary calls are retried on
    UNAVAILABLE and whose streaming calls never are.

    gRPC's retry policy is chosen by method name, not by kind, so the two kinds travel on two
    channels to the same address; connectivity (``subscribe``) is that of the unary one. The
    callables it hands out build each call's metadata themselves (``CallSigner``) and serialize
    a request once, for the signature and the wire alike.
    """

    def __init__(self, unary: grpc.Channel, streaming: grpc.Channel, signer: CallSigner) -> None:
        self._unary = unary
        self._streaming = streaming
        self._signer = signer

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
        raw: grpc.UnaryUnaryMultiCallable[Any, Any] = self._unary.unary_unary(
            method, None, response_deserializer, **private
        )
        return _SignedUnaryUnary(raw, _method_name(method), request_serializer, self._signer)

    def unary_stream(
        self,
        method: str,
        request_serializer: Callable[[Any], bytes] | None = None,
        response_deserializer: Callable[[bytes], Any] | None = None,
        **private: Any,
    ) -> grpc.UnaryStreamMultiCallable[Any, Any]:
        raw: grpc.UnaryStreamMultiCallable[Any, Any] = self._streaming.unary_stream(
            method, None, response_deserializer, **private
        )
        return _SignedUnaryStream(raw, _method_name(method), request_serializer, self._signer)

    def stream_unary(
        self,
        method: str,
        request_serializer: Callable[[Any], bytes] | None = None,
        response_deserializer: Callable[[bytes], Any] | None = None,
        **private: Any,
    ) -> grpc.StreamUnaryMultiCallable[Any, Any]:
        raw: grpc.StreamUnaryMultiCallable[Any, Any] = self._streaming.stream_unary(
            method, request_serializer, response_deserializer, **private
        )
        return _SignedStreamUnary(raw, _method_name(method), self._signer)

    def stream_stream(
        self,
        method: str,
        request_serializer: Callable[[Any], bytes] | None = None,
        response_deserializer: Callable[[bytes], Any] | None = None,
        **private: Any,
    ) -> grpc.StreamStreamMultiCallable[Any, Any]:
        raw: grpc.StreamStreamMultiCallable[Any, Any] = self._streaming.stream_stream(
            method, request_serializer, response_deserializer, **private
        )
        return _SignedStreamStream(raw, _method_name(method), self._signer)

    def close(self) -> None:
        self._unary.close()
        self._streaming.close()

    def __enter__(self) -> SiloChannel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# Reconnect quickly once a restarted peer is back (gRPC's default backoff grows to two minutes,
# leaving a silo cut off long after its peer returned). The minimum backoff is left alone: gRPC
# also takes it as the least time a connection attempt is given, and 100 ms would fail every
# connection to a peer slower than that to set up (a far region, TLS on a busy machine).
_RECONNECT_OPTIONS: list[tuple[str, Any]] = [
    ("grpc.initial_reconnect_backoff_ms", 100),
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
    return SiloChannel(retrying, streaming, CallSigner(secret, timeout))


Response = TypeVar("Response")


def call(
    method: Callable[..., Response], request: Any, *, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> Response:
    """Calls one stub method with a deadline and turns a failed status into a domain error."""
    try:
        return method(request, timeout=timeout)
    except grpc.RpcError as error:
        raise error_from_rpc_error(error) from None
