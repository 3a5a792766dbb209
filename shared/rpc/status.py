"""The one table between domain exceptions and gRPC status codes, used in both directions."""

from __future__ import annotations

from typing import NoReturn

import grpc

from shared import errors

ERROR_FIELD_METADATA_KEY = "silo-error-field"

_CODE_BY_ERROR: dict[type[errors.SiloError], grpc.StatusCode] = {
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    errors.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.Unavailable: grpc.StatusCode.UNAVAILABLE,
    errors.DeadlineExceeded: grpc.StatusCode.DEADLINE_EXCEEDED,
    errors.InternalError: grpc.StatusCode.INTERNAL,
}
_ERROR_BY_CODE: dict[grpc.StatusCode, type[errors.SiloError]] = {
    code: error for error, code in _CODE_BY_ERROR.items()
}


def code_for(error: errors.SiloError) -> grpc.StatusCode:
    """The status code a domain error is sent as."""
    for error_type in type(error).__mro__:
        if error_type in _CODE_BY_ERROR:
            return _CODE_BY_ERROR[error_type]
    return grpc.StatusCode.INTERNAL


def error_for(code: grpc.StatusCode, details: str, field: str | None) -> errors.SiloError:
    """The domain error a received status stands for; the inverse of ``code_for``.

    The server sends ``details`` as ``"<field>: <message>"`` when a field is at fault, and the
    field itself in trailing metadata, so the message is recovered without the prefix.
    """
    error_type = _ERROR_BY_CODE.get(code, errors.InternalError)
    message = details or code.name
    if field and message.startswith(f"{field}: "):
        message = message[len(field) + 2 :]
    error = error_type(message, field=field or None)
    error.from_peer = True
    return error


def abort_with(context: grpc.ServicerContext, error: errors.SiloError) -> NoReturn:
    """Ends an RPC with the status of ``error``, naming its field in trailing metadata."""
    if error.field:
        context.set_trailing_metadata(((ERROR_FIELD_METADATA_KEY, error.field),))
    context.abort(code_for(error), str(error))


def error_from_rpc_error(error: grpc.RpcError) -> errors.SiloError:
    """Converts an error raised by a gRPC stub into the matching domain error."""
    call = error if isinstance(error, grpc.Call) else None
    code = call.code() if call else grpc.StatusCode.UNKNOWN
    details = (call.details() if call else None) or ""
    field = None
    if call is not None:
        for key, value in call.trailing_metadata() or ():
            if key == ERROR_FIELD_METADATA_KEY:
                field = value if isinstance(value, str) else value.decode()
    return error_for(code, details, field)
