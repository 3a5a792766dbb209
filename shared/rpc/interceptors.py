"""Server interceptors: request ids, signatures, domain-error mapping, one log line per RPC."""

from __future__ import annotations

import json
import logging
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


def _metadata_value(details: grpc.HandlerCallDetails, key: str) -> str | None:
    for entry_key, value in details.invocation_metadata or ():
        if entry_key == key:
            return value if isinstance(value, str) else value.decode()
    return None


def _unary_behavior(handler: Handler) -> Behavior:
    behavior = handler.unary_unary
    if behavior is None:
        raise TypeError("not a unary-unary handler")
    return behavior


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
    """Wraps the behaviour of unary-unary methods; streaming methods pass through untouched."""

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Handler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        return self.wrap(handler, handler_call_details)

    def wrap(self, handler: Handler, details: grpc.HandlerCallDetails) -> Handler:
        raise NotImplementedError


class ErrorMappingInterceptor(_UnaryInterceptor):
    """Turns a domain error raised by a servicer into its status code, naming the field."""

    def wrap(self, handler: Handler, details: grpc.HandlerCallDetails) -> Handler:
        inner = _unary_behavior(handler)

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
        if not secrets:
            raise ValueError("request signing needs at least one shared secret")
        self._secrets = tuple(secrets)
        self._clock = clock

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Handler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        if handler_call_details.method.startswith(UNSIGNED_SERVICE_PREFIXES):
            return continuation(handler_call_details)
        return super().intercept_service(continuation, handler_call_details)

    def wrap(self, handler: Handler, details: grpc.HandlerCallDetails) -> Handler:
        inner = _unary_behavior(handler)
        deserialize = handler.request_deserializer
        method = details.method
        timestamp = _metadata_value(details, signing.TIMESTAMP_METADATA_KEY)
        authorization = _metadata_value(details, signing.AUTHORIZATION_METADATA_KEY)

        def keep_raw(raw: bytes) -> tuple[bytes, Any]:
            return raw, deserialize(raw) if deserialize else raw

        def behavior(raw_and_request: tuple[bytes, Any], context: grpc.ServicerContext) -> Any:
            raw, request = raw_and_request
            problem = signing.verify(
                self._secrets,
                full_method=method,
                timestamp=timestamp,
                authorization=authorization,
                body=raw,
                now=self._clock(),
            )
            if problem is not None:
                abort_with(context, errors.Unauthenticated(problem))
            return inner(request, context)

        return _replace_unary(handler, behavior, request_deserializer=keep_raw)


class LoggingInterceptor(_UnaryInterceptor):
    """Writes one structured line per RPC: method, status code, duration and request id."""

    def __init__(self, logger: logging.Logger = rpc_log) -> None:
        self._logger = logger

    def wrap(self, handler: Handler, details: grpc.HandlerCallDetails) -> Handler:
        inner = _unary_behavior(handler)
        method = details.method
        request_id = _metadata_value(details, REQUEST_ID_METADATA_KEY) or uuid.uuid4().hex

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
                if self._logger.isEnabledFor(logging.INFO):
                    line = {
                        "event": "rpc",
                        "method": method,
                        "code": code.name,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                        "request_id": request_id,
                    }
                    self._logger.info(json.dumps(line))

        return _replace_unary(handler, behavior)


def server_interceptors(secrets: Sequence[str]) -> list[grpc.ServerInterceptor]:
    """The interceptor chain of every Silo server, outermost first."""
    chain: list[grpc.ServerInterceptor] = [LoggingInterceptor()]
    if secrets:
        chain.append(SigningInterceptor(secrets))
    chain.append(ErrorMappingInterceptor())
    return chain
