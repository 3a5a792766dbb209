"""Server interceptors: request ids, signatures, domain-error mapping, one log line per RPC.

Each interceptor wraps a method's handler once and reuses the wrapper for every later call of
that method; per-call data (metadata) is read from the call's context inside the wrapper.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import grpc

from shared import errors
from shared.rpc import signing
from shared.rpc.status import abort_with, code_for

REQUEST_ID_METADATA_KEY = "x-request-id"
# Health checks and reflection must work for probes and tools that hold no secret.
UNSIGNED_SERVICE_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")

rpc_log = logging.getLogger("silo.rpc")

Behavior = Callable[[Any, grpc.ServicerContext], Any]
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"
Continuation: TypeAlias = "Callable[[grpc.HandlerCallDetails], Handler | None]"


def metadata_value(context: grpc.ServicerContext, key: str) -> str | None:
    """The first value of a metadata key of the current call, as text."""
    for entry_key, value in context.invocation_metadata() or ():
        if entry_key == key:
            return value if isinstance(value, str) else value.decode()
    return None


def _replace_unary(
    handler: Handler,
    behavior: Behavior,
    request_deserializer: Callable[[bytes], Any] | None = None,
) -> Handler:
    return grpc.unary_unary_rpc_method_handler(
        behavior,
        request_deserializer=request_deserializer or handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )


class _UnaryInterceptor(grpc.ServerInterceptor):
    """Wraps unary-unary methods once per method; streaming methods pass through untouched."""

    def __init__(self) -> None:
        self._wrapped: dict[str, Handler | None] = {}
        self._lock = threading.Lock()

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        method = handler_call_details.method
        if method in self._wrapped:
            return self._wrapped[method]
        handler = continuation(handler_call_details)
        if handler is not None and handler.unary_unary is not None and self.applies_to(method):
            handler = self.wrap(handler, handler.unary_unary, method)
        with self._lock:
            self._wrapped[method] = handler
        return handler

    def applies_to(self, method: str) -> bool:
        """Whether this interceptor handles ``method`` at all."""
        return True

    def wrap(self, handler: Handler, inner: Behavior, method: str) -> Handler:
        """A handler that runs ``inner`` with this interceptor's behaviour around it."""
        raise NotImplementedError


class ErrorMappingInterceptor(_UnaryInterceptor):
    """Turns a domain error raised by a servicer into its status code, naming the field."""

    def wrap(self, handler: Handler, inner: Behavior, method: str) -> Handler:
        def behavior(request: Any, context: grpc.ServicerContext) -> Any:
            try:
                return inner(request, context)
            except errors.SiloError as error:
                abort_with(context, error)

        return _replace_unary(handler, behavior)


class SigningInterceptor(_UnaryInterceptor):
    """Rejects calls whose ``authorization`` signature does not match one of the shared secrets.

    The signature covers the request bytes exactly as received, so the deserializer is wrapped to
    keep them; re-serializing the decoded message could differ from what the client signed.
    """

    def __init__(self, secrets: Sequence[str], clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        if not secrets:
            raise ValueError("request signing needs at least one shared secret")
        self._secrets = tuple(secrets)
        self._clock = clock

    def applies_to(self, method: str) -> bool:
        return not method.startswith(UNSIGNED_SERVICE_PREFIXES)

    def wrap(self, handler: Handler, inner: Behavior, method: str) -> Handler:
        deserialize = handler.request_deserializer

        def keep_raw(raw: bytes) -> tuple[bytes, Any]:
            return raw, deserialize(raw) if deserialize else raw

        def behavior(raw_and_request: tuple[bytes, Any], context: grpc.ServicerContext) -> Any:
            raw, request = raw_and_request
            problem = signing.verify(
                self._secrets,
                full_method=method,
                timestamp=metadata_value(context, signing.TIMESTAMP_METADATA_KEY),
                authorization=metadata_value(context, signing.AUTHORIZATION_METADATA_KEY),
                body=raw,
                now=self._clock(),
            )
            if problem is not None:
                abort_with(context, errors.Unauthenticated(problem))
            return inner(request, context)

        return _replace_unary(handler, behavior, request_deserializer=keep_raw)


class LoggingInterceptor(_UnaryInterceptor):
    """Writes one structured line per RPC: method, status code, duration and request id."""

    def __init__(
        self,
        logger: logging.Logger = rpc_log,
        observe: Callable[[str, str, float], None] | None = None,
    ) -> None:
        super().__init__()
        self._logger = logger
        self._observe = observe

    def wrap(self, handler: Handler, inner: Behavior, method: str) -> Handler:
        def behavior(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                return inner(request, context)
            except errors.SiloError as error:
                code = code_for(error)
                raise
            except Exception:
                code = getattr(context, "code", lambda: None)() or grpc.StatusCode.UNKNOWN
                raise
            finally:
                elapsed = time.perf_counter() - started
                if self._observe is not None:
                    self._observe(method, code.name, elapsed)
                if self._logger.isEnabledFor(logging.INFO):
                    line = {
                        "event": "rpc",
                        "method": method,
                        "code": code.name,
                        "duration_ms": round(elapsed * 1000, 3),
                        "request_id": metadata_value(context, REQUEST_ID_METADATA_KEY)
                        or uuid.uuid4().hex,
                    }
                    self._logger.info(json.dumps(line))

        return _replace_unary(handler, behavior)


def server_interceptors(
    secrets: Sequence[str], observe: Callable[[str, str, float], None] | None = None
) -> list[grpc.ServerInterceptor]:
    """The interceptor chain of every Silo server, outermost first; ``observe`` receives each
    RPC's method, status code name and duration in seconds."""
    chain: list[grpc.ServerInterceptor] = [LoggingInterceptor(observe=observe)]
    if secrets:
        chain.append(SigningInterceptor(secrets))
    chain.append(ErrorMappingInterceptor())
    return chain
