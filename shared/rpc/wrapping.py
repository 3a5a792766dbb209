"""One wrapper per method, built once when the method is registered: request ids, signature
checks with the replay guard, the request log of unary calls, domain-error mapping, one access-log
line and one metrics observation per RPC.

``Plumbing.wrap`` turns a method handler of any kind into one of the same kind that does all of
the above around the servicer's behaviour; ``WrappingServer`` applies it to every handler a
registration adds. Nothing runs per call but the wrapper itself: the call's metadata is read in
one pass, and the handler of a method served through a generic handler is looked up and wrapped
once (only methods that exist are remembered).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent import futures
from functools import partial
from typing import Any, Literal, TypeAlias

import grpc

from shared import errors
from shared.db.requests import (
    AlreadyApplied,
    CallWrites,
    RequestLog,
    running_call,
    unknown_result,
)
from shared.rpc import signing, streams
from shared.rpc.access_log import AccessLog, rpc_log
from shared.rpc.replay import MemoryReplayGuard, ReplayGuard
from shared.rpc.status import abort_with, code_for

REQUEST_ID_METADATA_KEY = "x-request-id"
# Health checks and reflection must work for probes and tools that hold no secret.
# Whole service names: a service whose name only starts like one of these is signed.
UNSIGNED_SERVICE_PREFIXES = (
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1alpha.ServerReflection/",
    "/grpc.reflection.v1.ServerReflection/",
)

Behavior = Callable[[Any, grpc.ServicerContext], Any]
# gRPC's experimental non-blocking streaming: the behaviour gets a callback to send responses
# through (None ends the stream) and returns at once, holding no server thread.
NonBlockingBehavior = Callable[[Any, grpc.ServicerContext, Callable[[Any], None]], Any]
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"
Observe = Callable[[str, str, float], None]
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

_OK = grpc.StatusCode.OK.name
_UNAVAILABLE = grpc.StatusCode.UNAVAILABLE


class CallMetadata:
    """The values of one call's metadata the plumbing reads, found in one pass (the first value
    of each key counts)."""

    __slots__ = ("authorization", "nonce", "request_id", "timestamp")

    def __init__(self, metadata: Sequence[tuple[str, Any]] | None) -> None:
        self.request_id: str | None = None
        self.timestamp: str | None = None
        self.nonce: str | None = None
        self.authorization: str | None = None
        for key, value in metadata or ():
            if key == signing.AUTHORIZATION_METADATA_KEY:
                if self.authorization is None:
                    self.authorization = _text(value)
            elif key == signing.NONCE_METADATA_KEY:
                if self.nonce is None:
                    self.nonce = _text(value)
            elif key == signing.TIMESTAMP_METADATA_KEY:
                if self.timestamp is None:
                    self.timestamp = _text(value)
            elif key == REQUEST_ID_METADATA_KEY and self.request_id is None:
                self.request_id = _text(value)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return bytes(value).decode()


def metadata_value(context: grpc.ServicerContext, key: str) -> str | None:
    """The first value of a metadata key of the current call, as text."""
    for entry_key, value in context.invocation_metadata() or ():
        if entry_key == key:
            return _text(value)
    return None


def _abandoned(context: grpc.ServicerContext) -> bool:
    """Whether the client can no longer see the call succeed: it was cancelled, or its deadline
    passed (told by the clock, before the server has processed the cancellation, which under
    load comes late)."""
    if not context.is_active():
        return True
    remaining = context.time_remaining()
    return remaining is not None and remaining <= 0


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


def _unexpected(
    context: grpc.ServicerContext, method: str, request_id: str | None, error: Exception
) -> None:
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
        request_id,
        exc_info=error,
    )
    abort_with(context, errors.InternalError(f"internal error (error id {error_id})"))


def _map_error(
    context: grpc.ServicerContext, method: str, request_id: str | None, error: Exception
) -> None:
    """Ends the call with the status of a domain error the servicer raised, naming its field;
    any other exception with INTERNAL and an error id (see ``_unexpected``)."""
    if isinstance(error, errors.SiloError):
        abort_with(context, _answered(error))
    _unexpected(context, method, request_id, error)


def _failed_code(error: BaseException, context: grpc.ServicerContext) -> grpc.StatusCode:
    """The status of a call whose behaviour raised ``error``."""
    if isinstance(error, errors.SiloError):
        return code_for(error)
    if isinstance(error, GeneratorExit):
        # gRPC drops a response stream unfinished only when the call is over: the client
        # cancelled it or its deadline passed.
        return grpc.StatusCode.CANCELLED
    return _code_set(context) or grpc.StatusCode.UNKNOWN


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


class Plumbing:
    """Everything a Silo server does around its servicers, for one server.

    ``secrets`` (when not empty) are the accepted signing secrets, a signature accepted once
    (remembered by ``replay_guard``); ``observe`` receives each RPC's method, status code name and
    duration in seconds; ``access_log`` gets one line per RPC; ``requests`` ties unary calls'
    writes to the call: an abandoned call commits nothing, and a retry of a call whose writes
    committed (same request id, method and request) gets the first response without writing again.
    """

    def __init__(
        self,
        secrets: Sequence[str],
        *,
        access_log: AccessLog,
        observe: Observe | None = None,
        replay_guard: ReplayGuard | None = None,
        requests: RequestLog | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secrets = tuple(secrets)
        self._keys = signing.SigningKeys(self._secrets) if self._secrets else None
        self._replays = replay_guard if replay_guard is not None else MemoryReplayGuard()
        self._requests = requests
        self._observe = observe
        self._access_log = access_log
        self._clock = clock

    # -- per method ------------------------------------------------------------------------

    def wrap(self, handler: Handler, method: str) -> Handler:
        """The handler that serves ``method`` through ``handler`` with all the plumbing; a handler
        of an unknown kind becomes one that answers UNIMPLEMENTED."""
        kind = handler_kind(handler)
        if kind is None:
            return self._logged_refusal(handler, method)
        signed = self._keys is not None and not method.startswith(UNSIGNED_SERVICE_PREFIXES)
        inner = getattr(handler, kind)
        if kind == "unary_unary":
            return self._unary_unary(handler, inner, method, signed)
        if kind in _STREAMING_REQUEST and signed and _non_blocking(kind, inner):
            # It returns before it has read its requests, so the call could not be failed once
            # a later frame is refused.
            return self._logged_refusal(handler, method)
        if _non_blocking(kind, inner):
            # Unsigned when it streams requests (signed, it was refused above).
            return self._non_blocking_stream(handler, kind, inner, method, signed)
        if kind in _STREAMING_REQUEST:
            return self._request_stream(handler, kind, inner, method, signed)
        return self._unary_stream(handler, inner, method, signed)

    def _finish(
        self, method: str, code: grpc.StatusCode, started: float, request_id: str | None
    ) -> None:
        elapsed = time.perf_counter() - started
        if self._observe is not None:
            self._observe(method, code.name, elapsed)
        self._access_log.record(method, code.name, elapsed, request_id)

    def _logged_refusal(self, handler: Handler, method: str) -> Handler:
        refused = refusal(handler)
        kind = _flags_kind(handler)
        inner: Behavior = getattr(refused, kind)

        def behavior(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            request_id = CallMetadata(context.invocation_metadata()).request_id
            try:
                return inner(request, context)
            finally:
                self._finish(
                    method, _code_set(context) or grpc.StatusCode.UNKNOWN, started, request_id
                )

        return _rebuild(kind, behavior, None, None)

    def _verify_unary(
        self, method: str, call: CallMetadata, raw: bytes, context: grpc.ServicerContext
    ) -> str:
        """Checks the signature of a call with one request message over its bytes as received,
        and claims it; ends the call UNAUTHENTICATED otherwise. Returns the authorization."""
        keys = self._keys
        assert keys is not None  # noqa: S101 - only signed methods verify
        problem = keys.verify(
            full_method=method,
            timestamp=call.timestamp,
            nonce=call.nonce,
            authorization=call.authorization,
            body=raw,
            now=self._clock(),
        )
        if problem is not None or call.timestamp is None or call.authorization is None:
            abort_with(context, errors.Unauthenticated(problem or "missing request signature"))
        self._claim(context, call.timestamp, call.authorization)
        return call.authorization

    def _claim(self, context: grpc.ServicerContext, timestamp: str, authorization: str) -> None:
        """Ends the call UNAUTHENTICATED when its (verified) signature was used before."""
        try:
            first = self._replays.claim(authorization, signing.expiry(timestamp))
        except errors.SiloError as error:
            abort_with(context, error)
        if not first:
            abort_with(context, errors.Unauthenticated("request signature was already used"))

    def _unary_unary(self, handler: Handler, inner: Behavior, method: str, signed: bool) -> Handler:
        deserialize = handler.request_deserializer
        serialize = handler.response_serializer
        log = self._requests
        replays = self._replays
        finish = self._finish
        verify = self._verify_unary

        def run(request: Any, context: grpc.ServicerContext, request_id: str | None) -> Any:
            """The servicer, its writes tied to the call when there is a request log."""
            if log is None or not request_id:
                return inner(request, context)
            call = CallWrites(
                log,
                request_id,
                method,
                body=(
                    (lambda: request)
                    if isinstance(request, bytes)
                    else partial(request.SerializeToString, deterministic=True)
                ),
                abandoned=partial(_abandoned, context),
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

        def behavior(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            call = CallMetadata(context.invocation_metadata())
            request_id = call.request_id
            code = grpc.StatusCode.OK
            authorization: str | None = None
            try:
                if signed:
                    # The request arrives as bytes: the signature covers them as received.
                    authorization = verify(method, call, request, context)
                    request = _parsed(request, deserialize, context)
                try:
                    return run(request, context, request_id)
                except Exception as error:
                    _map_error(context, method, request_id, error)
                    raise
            except BaseException as error:
                code = _failed_code(error, context)
                # A unary call answered UNAVAILABLE did nothing and is retried with the same
                # signature by the client's retry policy; only such a call may be sent again.
                if authorization is not None and _code_set(context) == _UNAVAILABLE:
                    replays.release(authorization)
                raise
            finally:
                finish(method, code, started, request_id)

        return _rebuild(
            "unary_unary",
            behavior,
            None if signed else deserialize,
            _passing_stored(serialize) if log is not None else serialize,
            inner,
        )

    def _unary_stream(
        self, handler: Handler, inner: Behavior, method: str, signed: bool
    ) -> Handler:
        deserialize = handler.request_deserializer
        finish = self._finish
        verify = self._verify_unary

        def behavior(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            started = time.perf_counter()
            call = CallMetadata(context.invocation_metadata())
            code = grpc.StatusCode.OK
            try:
                if signed:
                    verify(method, call, request, context)
                    request = _parsed(request, deserialize, context)
                try:
                    yield from inner(request, context)
                except Exception as error:
                    _map_error(context, method, call.request_id, error)
                    raise
            except BaseException as error:
                code = _failed_code(error, context)
                raise
            finally:
                finish(method, code, started, call.request_id)

        return _rebuild(
            "unary_stream",
            behavior,
            None if signed else deserialize,
            handler.response_serializer,
            inner,
        )

    def _non_blocking_stream(
        self,
        handler: Handler,
        kind: Kind,
        inner: NonBlockingBehavior,
        method: str,
        signed: bool,
    ) -> Handler:
        """A non-blocking response stream (unary-stream, or an unsigned bidirectional stream),
        logged when the call ends, since its behaviour returns at once."""
        deserialize = handler.request_deserializer
        finish = self._finish
        verify = self._verify_unary

        def behavior(
            request: Any, context: grpc.ServicerContext, send: Callable[[Any], None]
        ) -> Any:
            started = time.perf_counter()
            call = CallMetadata(context.invocation_metadata())
            ended = threading.Event()
            # Taken by the first of the two ways the call can end, never released.
            once = threading.Lock()

            def end(code: grpc.StatusCode) -> None:
                if once.acquire(blocking=False):
                    finish(method, code, started, call.request_id)

            def send_and_note_the_end(response: Any) -> None:
                if response is None:
                    ended.set()
                send(response)

            def on_termination() -> None:
                closed = grpc.StatusCode.OK if ended.is_set() else grpc.StatusCode.CANCELLED
                end(_code_set(context) or closed)

            # Registered before the servicer registers its own, so it sees whether the servicer
            # ended the stream or the client went away.
            registered = context.add_callback(on_termination)
            try:
                if signed:
                    verify(method, call, request, context)
                    request = _parsed(request, deserialize, context)
                try:
                    result = inner(request, context, send_and_note_the_end)
                except Exception as error:
                    _map_error(context, method, call.request_id, error)
                    raise
            except Exception as error:
                end(_failed_code(error, context))
                raise
            if not registered:
                on_termination()
            return result

        return _rebuild(
            kind,
            behavior,
            None if signed else deserialize,
            handler.response_serializer,
            inner,
        )

    def _open_stream(
        self,
        method: str,
        call: CallMetadata,
        frames: Iterator[bytes],
        deserialize: Callable[[bytes], Any] | None,
        context: grpc.ServicerContext,
    ) -> _VerifiedRequests:
        """Checks a request-stream call's signature and claims it (ending the call
        UNAUTHENTICATED otherwise); the servicer's iterator of verified, parsed messages."""
        try:
            verifier = streams.verify_call(
                self._secrets,
                full_method=method,
                timestamp=call.timestamp,
                nonce=call.nonce,
                authorization=call.authorization,
                now=self._clock(),
            )
        except errors.Unauthenticated as error:
            abort_with(context, error)
        # Verified, so both are present.
        self._claim(context, call.timestamp or "", call.authorization or "")
        return _VerifiedRequests(verifier.messages(frames), deserialize)

    def _request_stream(
        self, handler: Handler, kind: Kind, inner: Behavior, method: str, signed: bool
    ) -> Handler:
        deserialize = handler.request_deserializer
        finish = self._finish
        open_stream = self._open_stream

        def behavior(requests: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            call = CallMetadata(context.invocation_metadata())
            code = grpc.StatusCode.OK
            try:
                verified = None
                if signed:
                    verified = open_stream(method, call, requests, deserialize, context)
                    requests = verified
                try:
                    response = inner(requests, context)
                except Exception as error:
                    _map_error(context, method, call.request_id, error)
                    raise
                if verified is not None:
                    verified.check(context)
                return response
            except BaseException as error:
                code = _failed_code(error, context)
                raise
            finally:
                finish(method, code, started, call.request_id)

        def streaming_behavior(requests: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            started = time.perf_counter()
            call = CallMetadata(context.invocation_metadata())
            code = grpc.StatusCode.OK
            try:
                verified = None
                if signed:
                    verified = open_stream(method, call, requests, deserialize, context)
                    requests = verified
                try:
                    yield from inner(requests, context)
                except Exception as error:
                    _map_error(context, method, call.request_id, error)
                    raise
                if verified is not None:
                    verified.check(context)
            except BaseException as error:
                code = _failed_code(error, context)
                raise
            finally:
                finish(method, code, started, call.request_id)

        chosen = streaming_behavior if kind in _STREAMING_RESPONSE else behavior
        # Signed: the frames arrive as bytes and are parsed only once verified.
        return _rebuild(
            kind, chosen, None if signed else deserialize, handler.response_serializer, inner
        )


class _WrappedGenericHandler(grpc.GenericRpcHandler):
    """A generic handler whose method handlers are wrapped, each once: the first call of a method
    looks its handler up and wraps it, later calls reuse the wrapper. Methods the inner handler
    does not serve are not remembered, so calls to unknown names do not grow the cache."""

    def __init__(self, inner: grpc.GenericRpcHandler, plumbing: Plumbing) -> None:
        self._inner = inner
        self._plumbing = plumbing
        self._wrapped: dict[str, Handler] = {}
        self._lock = threading.Lock()

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> Handler | None:
        method = handler_call_details.method
        cached = self._wrapped.get(method)
        if cached is not None:
            return cached
        handler = self._inner.service(handler_call_details)
        if handler is None:
            return None
        wrapped = self._plumbing.wrap(handler, method)
        with self._lock:
            return self._wrapped.setdefault(method, wrapped)


class WrappingServer(grpc.Server):
    """The server registrations see: every method handler they add is wrapped with the plumbing
    as it is added (a generic handler's on its first call); everything else is the server's."""

    def __init__(
        self,
        server: grpc.Server,
        plumbing: Plumbing,
        calls: futures.ThreadPoolExecutor | None = None,
    ) -> None:
        """``calls`` is the pool ``server`` runs its calls on: shut down once the server has
        stopped."""
        self._server = server
        self._plumbing = plumbing
        self._calls = calls

    def add_generic_rpc_handlers(
        self, generic_rpc_handlers: Iterable[grpc.GenericRpcHandler]
    ) -> None:
        self._server.add_generic_rpc_handlers(
            tuple(
                _WrappedGenericHandler(handler, self._plumbing) for handler in generic_rpc_handlers
            )
        )

    def add_registered_method_handlers(
        self, service_name: str, method_handlers: Mapping[str, Handler]
    ) -> None:
        wrapped = {
            name: self._plumbing.wrap(handler, f"/{service_name}/{name}")
            for name, handler in method_handlers.items()
        }
        self._server.add_registered_method_handlers(service_name, wrapped)

    def add_insecure_port(self, address: str) -> int:
        return self._server.add_insecure_port(address)

    def add_secure_port(self, address: str, server_credentials: grpc.ServerCredentials) -> int:
        return self._server.add_secure_port(address, server_credentials)

    def start(self) -> None:
        self._server.start()

    def stop(self, grace: float | None) -> threading.Event:
        stopped = self._server.stop(grace)
        calls = self._calls
        if calls is not None:

            def let_the_threads_go() -> None:
                # Not before the server has stopped: until then it may hand the pool a call.
                stopped.wait()
                calls.shutdown(wait=False)

            try:
                threading.Thread(
                    target=let_the_threads_go, name="silo-rpc-stop", daemon=True
                ).start()
            except RuntimeError:  # no thread to spare: the pool's threads stay, idle
                rpc_log.warning("could not start the thread that ends the call pool of a server")
        return stopped

    def wait_for_termination(self, timeout: float | None = None) -> bool:
        return self._server.wait_for_termination(timeout)
