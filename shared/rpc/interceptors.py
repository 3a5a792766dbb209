"""Server interceptors: request ids, signatures, domain-error mapping, one log line per RPC."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal, TypeAlias

import grpc

from shared import errors
from shared.db.requests import (
    AlreadyApplied,
    CallWrites,
    RequestLog,
    request_key,
    running_call,
    unknown_result,
)
from shared.rpc import signing, streams
from shared.rpc.replay import MemoryReplayGuard, ReplayGuard
from shared.rpc.status import abort_with, code_for

REQUEST_ID_METADATA_KEY = "x-request-id"
# Health checks and reflection must work for probes and tools that hold no secret.
UNSIGNED_SERVICE_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")

rpc_log = logging.getLogger("silo.rpc")

Behavior = Callable[[Any, grpc.ServicerContext], Any]
# gRPC's experimental non-blocking streaming: the behaviour gets a callback to send responses
# through (None ends the stream) and returns at once, holding no server thread.
NonBlockingBehavior = Callable[[Any, grpc.ServicerContext, Callable[[Any], None]], Any]
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"
Continuation: TypeAlias = "Callable[[grpc.HandlerCallDetails], Handler | None]"
Kind = Literal["unary_unary", "unary_stream", "stream_unary", "stream_stream"]

# gRPC picks the behaviour to run from the two streaming flags alone, so the kind does too.
_KIND_BY_FLAGS: dict[tuple[bool, bool], Kind] = {
    (False, False): "unary_unary",
    (False, True): "unary_stream",
    (True, False): "stream_unary",
    (True, True): "stream_stream",
}
_HANDLER_FACTORY: dict[Kind, Callable[..., Handler]] = {
    "unary_unary": grpc.unary_unary_rpc_method_handler,
    "unary_stream": grpc.unary_stream_rpc_method_handler,
    "stream_unary": grpc.stream_unary_rpc_method_handler,
    "stream_stream": grpc.stream_stream_rpc_method_handler,
}
_STREAMING_RESPONSE: frozenset[Kind] = frozenset({"unary_stream", "stream_stream"})
_STREAMING_REQUEST: frozenset[Kind] = frozenset({"stream_unary", "stream_stream"})
# Options gRPC reads off a behaviour itself, so a wrapper must carry those of the one it wraps.
_BEHAVIOR_OPTIONS = ("experimental_non_blocking", "experimental_thread_pool")


def metadata_value(context: grpc.ServicerContext, key: str) -> str | None:
    """The first value of a metadata key of the current call, as text."""
    for entry_key, value in context.invocation_metadata() or ():
        if entry_key == key:
            return value if isinstance(value, str) else value.decode()
    return None


def _code_set(context: grpc.ServicerContext) -> grpc.StatusCode | None:
    """The status code the call was aborted or set with so far, if any."""
    code: grpc.StatusCode | None = getattr(context, "code", lambda: None)()
    return code


def _flags_kind(handler: object) -> Kind:
    request_streaming = bool(getattr(handler, "request_streaming", False))
    response_streaming = bool(getattr(handler, "response_streaming", False))
    return _KIND_BY_FLAGS[(request_streaming, response_streaming)]


def handler_kind(handler: object) -> Kind | None:
    """The kind of RPC ``handler`` serves, or None when it is not a handler of a known kind: its
    streaming flags are not booleans, or the behaviour gRPC would run for them is missing."""
    flags = (
        getattr(handler, "request_streaming", None),
        getattr(handler, "response_streaming", None),
    )
    if not all(isinstance(flag, bool) for flag in flags):
        return None
    kind = _flags_kind(handler)
    return kind if callable(getattr(handler, kind, None)) else None


def _non_blocking(kind: Kind, behavior: object) -> bool:
    """Whether gRPC runs ``behavior`` as non-blocking streaming (only response streams can be)."""
    return kind in _STREAMING_RESPONSE and bool(
        getattr(behavior, "experimental_non_blocking", False)
    )


def _rebuild(
    kind: Kind,
    behavior: Behavior | NonBlockingBehavior,
    request_deserializer: Callable[[bytes], Any] | None,
    response_serializer: Callable[[Any], bytes] | None,
    wrapping: object = None,
) -> Handler:
    for option in _BEHAVIOR_OPTIONS:
        if hasattr(wrapping, option):
            setattr(behavior, option, getattr(wrapping, option))
    return _HANDLER_FACTORY[kind](
        behavior,
        request_deserializer=request_deserializer,
        response_serializer=response_serializer,
    )


def refusal(handler: object) -> Handler:
    """A handler of the same streaming shape as ``handler`` that answers every call UNIMPLEMENTED
    without running any of ``handler``'s code."""

    def refuse(_request: Any, context: grpc.ServicerContext) -> Any:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "method handler of an unknown kind")

    return _rebuild(_flags_kind(handler), refuse, None, None)


class _WrappingInterceptor(grpc.ServerInterceptor):
    """Wraps the handler of every method, whatever its kind, and refuses handlers of a kind it
    does not know.

    A method's handler is wrapped once and the wrapper reused for every later call of it; per-call
    data (metadata) is read from the call's context inside the wrapper. Only methods that exist are
    remembered, so calls to unknown names do not grow the cache.
    """

    def __init__(self) -> None:
        self._wrapped: dict[str, Handler] = {}
        self._lock = threading.Lock()

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        method = handler_call_details.method
        cached = self._wrapped.get(method)
        if cached is not None:
            return cached
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        kind = handler_kind(handler)
        if kind is None:
            wrapped = refusal(handler)
        elif self.applies_to(method):
            wrapped = self.wrap(handler, kind, method)
        else:
            wrapped = handler
        with self._lock:
            return self._wrapped.setdefault(method, wrapped)

    def applies_to(self, method: str) -> bool:
        """Whether this interceptor handles ``method`` at all."""
        return True

    def wrap(self, handler: Handler, kind: Kind, method: str) -> Handler:
        """A handler of the same kind that runs ``handler``'s behaviour with this interceptor's
        behaviour around it."""
        raise NotImplementedError


def _answered(error: errors.SiloError) -> errors.SiloError:
    """The error a servicer's caller gets for ``error``. A peer that refused this silo's own
    signature is this silo's failure (its secrets are not the peer's), not the caller's: it
    answers INTERNAL rather than UNAUTHENTICATED, which would blame the caller's signature."""
    if isinstance(error, errors.Unauthenticated) and error.from_peer:
        return errors.InternalError(
            f"a silo this one called refused its request signature ({error.message}); "
            "check that both share SILO_RPC_SHARED_SECRETS"
        )
    return error


def _unexpected(context: grpc.ServicerContext, method: str, error: Exception) -> None:
    """Ends the call INTERNAL with a generic message and an error id, logging the id with the
    traceback; the details never carry the exception's text (SQL, parameters, values). A call
    that already has its status (the servicer aborted it) keeps it."""
    if _code_set(context) is not None:
        return
    error_id = uuid.uuid4().hex[:16]
    rpc_log.error(
        "unexpected error id=%s method=%s request_id=%s",
        error_id,
        method,
        metadata_value(context, REQUEST_ID_METADATA_KEY),
        exc_info=error,
    )
    abort_with(context, errors.InternalError(f"internal error (error id {error_id})"))


class _Stored:
    """A response kept from an earlier attempt of the call, sent as its bytes."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw


def _passing_stored(serialize: Callable[[Any], bytes] | None) -> Callable[[Any], bytes]:
    def serializer(response: Any) -> bytes:
        if isinstance(response, _Stored):
            return response.raw
        return serialize(response) if serialize is not None else bytes(response)

    return serializer


class ErrorMappingInterceptor(_WrappingInterceptor):
    """Turns a domain error raised by a servicer, also while it streams responses, into its status
    code, naming the field; any other exception into INTERNAL with an error id the server logs.

    With a request log, a unary call's units of work know the call (``shared.db.requests``): an
    abandoned call commits nothing, and a retry of a call whose writes committed (same request
    id, method and request) gets the first response without writing again.
    """

    def __init__(self, requests: RequestLog | None = None) -> None:
        super().__init__()
        self._requests = requests

    def _logged(self, handler: Handler, method: str) -> Handler:
        """``handler`` (unary-unary) run with its writes tied to the call."""
        log = self._requests
        inner: Callable[..., Any] = getattr(handler, "unary_unary")  # noqa: B009 - typed Any
        serialize = handler.response_serializer

        def behavior(request: Any, context: grpc.ServicerContext) -> Any:
            request_id = metadata_value(context, REQUEST_ID_METADATA_KEY)
            if log is None or not request_id:
                return inner(request, context)
            body = (
                request
                if isinstance(request, bytes)
                else request.SerializeToString(deterministic=True)
            )
            call = CallWrites(
                log,
                request_key(request_id, method, body),
                method,
                abandoned=lambda: not context.is_active(),
            )
            with running_call(call):
                try:
                    response = inner(request, context)
                except AlreadyApplied as applied:
                    if applied.response is None:
                        raise unknown_result() from None
                    return _Stored(applied.response)
            # A response the client will receive needs no keeping (that costs a transaction per
            # write); one whose call was cut off after its writes committed is kept for the
            # retry. Between the two, a retry is told the request was applied.
            if call.committed and not context.is_active():
                log.store_response(call.key, _passing_stored(serialize)(response))
            return response

        return _rebuild(
            "unary_unary",
            behavior,
            handler.request_deserializer,
            _passing_stored(serialize),
            inner,
        )

    def wrap(self, handler: Handler, kind: Kind, method: str) -> Handler:
        if kind == "unary_unary" and self._requests is not None:
            handler = self._logged(handler, method)
        inner: Callable[..., Any] = getattr(handler, kind)

        def behavior(request: Any, context: grpc.ServicerContext, *send: Any) -> Any:
            try:
                return inner(request, context, *send)
            except errors.SiloError as error:
                abort_with(context, _answered(error))
            except Exception as error:
                _unexpected(context, method, error)
                raise

        def streaming_behavior(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            try:
                yield from inner(request, context)
            except errors.SiloError as error:
                abort_with(context, _answered(error))
            except Exception as error:
                _unexpected(context, method, error)
                raise

        streams_here = kind in _STREAMING_RESPONSE and not _non_blocking(kind, inner)
        chosen = streaming_behavior if streams_here else behavior
        return _rebuild(
            kind, chosen, handler.request_deserializer, handler.response_serializer, inner
        )


class _VerifiedRequests:
    """The request iterator a servicer sees: only messages whose frames checked out.

    A failure sticks: once a frame was refused, every later ``next`` raises the same error, so a
    servicer cannot mistake a refused stream for one that ended.
    """

    def __init__(self, payloads: Iterator[bytes], deserialize: Callable[[bytes], Any] | None):
        self._payloads = payloads
        self._deserialize = deserialize
        self.failure: errors.SiloError | None = None

    def __iter__(self) -> _VerifiedRequests:
        return self

    def __next__(self) -> Any:
        if self.failure is not None:
            raise self.failure
        try:
            payload = next(self._payloads)
        except errors.SiloError as error:
            self.failure = error
            raise
        if self._deserialize is None:
            return payload
        try:
            return self._deserialize(payload)
        except Exception:
            self.failure = errors.InvalidArgument("a request message could not be parsed")
            raise self.failure from None

    def check(self, context: grpc.ServicerContext) -> None:
        """Ends the call with the refusal, should the servicer have caught it and carried on."""
        if self.failure is not None:
            abort_with(context, self.failure)


def _parsed(
    raw: bytes, deserialize: Callable[[bytes], Any] | None, context: grpc.ServicerContext
) -> Any:
    """The request message of ``raw``; a message that does not parse ends the call
    INVALID_ARGUMENT (gRPC itself would answer INTERNAL)."""
    if deserialize is None:
        return raw
    try:
        return deserialize(raw)
    except Exception:
        abort_with(context, errors.InvalidArgument("the request message could not be parsed"))


class SigningInterceptor(_WrappingInterceptor):
    """Rejects calls whose signature does not match one of the shared secrets.

    A call with one request message carries the unary signature over its bytes exactly as received
    (the deserializer is wrapped to keep them, since re-serializing the decoded message could differ
    from what the client signed). A call with a request stream carries a call signature, and every
    message travels in a signed frame; the servicer only sees messages whose frames checked out
    (see ``shared.rpc.streams``).
    """

    def __init__(
        self,
        secrets: Sequence[str],
        clock: Callable[[], float] = time.time,
        replay_guard: ReplayGuard | None = None,
    ) -> None:
        super().__init__()
        if not secrets:
            raise ValueError("request signing needs at least one shared secret")
        self._secrets = tuple(secrets)
        self._clock = clock
        self._replays = replay_guard if replay_guard is not None else MemoryReplayGuard()

    def _claim(self, context: grpc.ServicerContext, timestamp: str, authorization: str) -> None:
        """Ends the call UNAUTHENTICATED when its (verified) signature was used before."""
        try:
            first = self._replays.claim(authorization, signing.expiry(timestamp))
        except errors.SiloError as error:
            abort_with(context, error)
        if not first:
            abort_with(context, errors.Unauthenticated("request signature was already used"))

    def applies_to(self, method: str) -> bool:
        return not method.startswith(UNSIGNED_SERVICE_PREFIXES)

    def wrap(self, handler: Handler, kind: Kind, method: str) -> Handler:
        if kind in _STREAMING_REQUEST:
            return self._wrap_request_stream(handler, kind, method)
        inner: Callable[..., Any] = getattr(handler, kind)
        deserialize = handler.request_deserializer

        def behavior(raw: bytes, context: grpc.ServicerContext, *send: Any) -> Any:
            timestamp = metadata_value(context, signing.TIMESTAMP_METADATA_KEY)
            authorization = metadata_value(context, signing.AUTHORIZATION_METADATA_KEY)
            problem = signing.verify(
                self._secrets,
                full_method=method,
                timestamp=timestamp,
                nonce=metadata_value(context, signing.NONCE_METADATA_KEY),
                authorization=authorization,
                body=raw,
                now=self._clock(),
            )
            if problem is not None or timestamp is None or authorization is None:
                abort_with(context, errors.Unauthenticated(problem or "missing request signature"))
            self._claim(context, timestamp, authorization)
            request = _parsed(raw, deserialize, context)
            try:
                # ``send`` is the response callback of non-blocking streaming, passed on as it came.
                return inner(request, context, *send)
            except BaseException:
                # A unary call answered UNAVAILABLE did nothing and is retried with the same
                # signature by the client's retry policy; only such a call may be sent again.
                if kind == "unary_unary" and _code_set(context) == grpc.StatusCode.UNAVAILABLE:
                    self._replays.release(authorization)
                raise

        # No deserializer: the bytes are kept as received for the signature, and parsed after.
        return _rebuild(kind, behavior, None, handler.response_serializer, inner)

    def _wrap_request_stream(self, handler: Handler, kind: Kind, method: str) -> Handler:
        inner: Behavior = getattr(handler, kind)
        if _non_blocking(kind, inner):
            # It returns before it has read its requests, so the call could not be failed once
            # a later frame is refused.
            return refusal(handler)
        deserialize = handler.request_deserializer

        def open_stream(
            frames: Iterator[bytes], context: grpc.ServicerContext
        ) -> _VerifiedRequests:
            timestamp = metadata_value(context, signing.TIMESTAMP_METADATA_KEY)
            authorization = metadata_value(context, signing.AUTHORIZATION_METADATA_KEY)
            try:
                verifier = streams.verify_call(
                    self._secrets,
                    full_method=method,
                    timestamp=timestamp,
                    nonce=metadata_value(context, streams.NONCE_METADATA_KEY),
                    authorization=authorization,
                    now=self._clock(),
                )
            except errors.Unauthenticated as error:
                abort_with(context, error)
            # Verified, so both are present.
            self._claim(context, timestamp or "", authorization or "")
            return _VerifiedRequests(verifier.messages(frames), deserialize)

        def behavior(frames: Iterator[bytes], context: grpc.ServicerContext) -> Any:
            requests = open_stream(frames, context)
            response = inner(requests, context)
            requests.check(context)
            return response

        def streaming_behavior(
            frames: Iterator[bytes], context: grpc.ServicerContext
        ) -> Iterator[Any]:
            requests = open_stream(frames, context)
            yield from inner(requests, context)
            requests.check(context)

        chosen = streaming_behavior if kind in _STREAMING_RESPONSE else behavior
        # No deserializer: the frames arrive as bytes and are parsed only once verified.
        return _rebuild(kind, chosen, None, handler.response_serializer, inner)


class LoggingInterceptor(_WrappingInterceptor):
    """Writes one structured line per RPC (when its response stream ends, for streaming responses):
    method, status code, duration and request id."""

    def __init__(
        self,
        logger: logging.Logger = rpc_log,
        observe: Callable[[str, str, float], None] | None = None,
    ) -> None:
        super().__init__()
        self._logger = logger
        self._observe = observe

    def _write(
        self, method: str, context: grpc.ServicerContext, code: grpc.StatusCode, elapsed: float
    ) -> None:
        if self._observe is not None:
            self._observe(method, code.name, elapsed)
        if self._logger.isEnabledFor(logging.INFO):
            line = {
                "event": "rpc",
                "method": method,
                "code": code.name,
                "duration_ms": round(elapsed * 1000, 3),
                "request_id": metadata_value(context, REQUEST_ID_METADATA_KEY) or uuid.uuid4().hex,
            }
            self._logger.info(json.dumps(line))

    @contextmanager
    def _recorded(self, method: str, context: grpc.ServicerContext) -> Iterator[None]:
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        try:
            yield
        except errors.SiloError as error:
            code = code_for(error)
            raise
        except GeneratorExit:
            # gRPC drops a response stream unfinished only when the call is over: the client
            # cancelled it or its deadline passed.
            code = grpc.StatusCode.CANCELLED
            raise
        except Exception:
            code = _code_set(context) or grpc.StatusCode.UNKNOWN
            raise
        finally:
            self._write(method, context, code, time.perf_counter() - started)

    def _logged_non_blocking(self, inner: NonBlockingBehavior, method: str) -> NonBlockingBehavior:
        """Logs a non-blocking stream when the call ends, since its behaviour returns at once."""

        def behavior(
            request: Any, context: grpc.ServicerContext, send: Callable[[Any], None]
        ) -> Any:
            started = time.perf_counter()
            ended = threading.Event()
            # Taken by the first of the two ways the call can end, never released.
            once = threading.Lock()

            def finish(code: grpc.StatusCode) -> None:
                if once.acquire(blocking=False):
                    self._write(method, context, code, time.perf_counter() - started)

            def send_and_note_the_end(response: Any) -> None:
                if response is None:
                    ended.set()
                send(response)

            def on_termination() -> None:
                closed = grpc.StatusCode.OK if ended.is_set() else grpc.StatusCode.CANCELLED
                finish(_code_set(context) or closed)

            # Registered before the servicer registers its own, so it sees whether the servicer
            # ended the stream or the client went away.
            registered = context.add_callback(on_termination)
            try:
                result = inner(request, context, send_and_note_the_end)
            except errors.SiloError as error:
                finish(code_for(error))
                raise
            except Exception:
                finish(_code_set(context) or grpc.StatusCode.UNKNOWN)
                raise
            if not registered:
                on_termination()
            return result

        return behavior

    def wrap(self, handler: Handler, kind: Kind, method: str) -> Handler:
        inner: Behavior = getattr(handler, kind)

        def behavior(request: Any, context: grpc.ServicerContext) -> Any:
            with self._recorded(method, context):
                return inner(request, context)

        def streaming_behavior(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            with self._recorded(method, context):
                yield from inner(request, context)

        chosen: Behavior | NonBlockingBehavior = behavior
        if _non_blocking(kind, inner):
            chosen = self._logged_non_blocking(getattr(handler, kind), method)
        elif kind in _STREAMING_RESPONSE:
            chosen = streaming_behavior
        return _rebuild(
            kind, chosen, handler.request_deserializer, handler.response_serializer, inner
        )


def server_interceptors(
    secrets: Sequence[str],
    observe: Callable[[str, str, float], None] | None = None,
    replay_guard: ReplayGuard | None = None,
    requests: RequestLog | None = None,
) -> list[grpc.ServerInterceptor]:
    """The interceptor chain of every Silo server, outermost first; ``observe`` receives each
    RPC's method, status code name and duration in seconds; ``replay_guard`` remembers accepted
    signatures (in this process's memory when not given); ``requests`` ties unary calls' writes
    to the call (see ``ErrorMappingInterceptor``)."""
    chain: list[grpc.ServerInterceptor] = [LoggingInterceptor(observe=observe)]
    if secrets:
        chain.append(SigningInterceptor(secrets, replay_guard=replay_guard))
    chain.append(ErrorMappingInterceptor(requests))
    return chain
