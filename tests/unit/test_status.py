"""The error table maps every domain error to one status code and back."""

from __future__ import annotations

import grpc
import pytest

from shared import errors
from shared.rpc.status import code_for, error_for

PAIRS = [
    (errors.NotFound, grpc.StatusCode.NOT_FOUND),
    (errors.InvalidArgument, grpc.StatusCode.INVALID_ARGUMENT),
    (errors.AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    (errors.FailedPrecondition, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.Unauthenticated, grpc.StatusCode.UNAUTHENTICATED),
    (errors.Unavailable, grpc.StatusCode.UNAVAILABLE),
    (errors.DeadlineExceeded, grpc.StatusCode.DEADLINE_EXCEEDED),
    (errors.InternalError, grpc.StatusCode.INTERNAL),
]


@pytest.mark.parametrize(("error_type", "code"), PAIRS)
def test_round_trip(error_type: type[errors.SiloError], code: grpc.StatusCode) -> None:
    error = error_type("went wrong", field="some_field")
    assert code_for(error) == code
    assert error_for(code, str(error), "some_field") == error


def test_unknown_codes_become_internal_errors() -> None:
    assert isinstance(error_for(grpc.StatusCode.DATA_LOSS, "lost", None), errors.InternalError)
