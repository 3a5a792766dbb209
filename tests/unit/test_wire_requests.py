"""Requests built from a call's keyword arguments (``MethodBinding.request_from_call``): one
constructor call, whatever mix of plain, nested and flattened dataclass arguments the method
takes."""

from __future__ import annotations

import pytest

from shared.generated.silo.user.v1 import user_pb2
from shared.services.registry import USER
from shared.services.user.model import NewUser, UserUpdate
from shared.wire.binding import BindingError

_METHODS = USER.binding.methods


@pytest.mark.parametrize("method", ["get_user", "update_user", "create_user"])
def test_an_argument_the_request_has_no_field_for_is_a_binding_error(method: str) -> None:
    with pytest.raises(BindingError, match="no_such_argument"):
        _METHODS[method].request_from_call({"no_such_argument": 1})


def test_plain_arguments_land_in_their_fields_and_none_leaves_a_field_unset() -> None:
    request = _METHODS["get_user"].request_from_call({"user_id": 42})
    unset = _METHODS["get_user"].request_from_call({"user_id": None})

    assert request == user_pb2.GetUserRequest(user_id=42)
    assert unset == user_pb2.GetUserRequest()


def test_a_flattened_update_sends_only_the_attributes_it_sets_and_names_them_in_the_mask() -> None:
    request = _METHODS["update_user"].request_from_call(
        {"user_id": 5, "update": UserUpdate(name="", is_active=False)}
    )

    assert isinstance(request, user_pb2.UpdateUserRequest)
    assert request.user_id == 5
    assert (request.name, request.is_active) == ("", False)
    assert request.HasField("name") and request.HasField("is_active")
    assert not request.HasField("email")
    assert sorted(request.update_mask.paths) == ["is_active", "name"]


def test_an_update_that_sets_nothing_still_sends_an_empty_mask() -> None:
    request = _METHODS["update_user"].request_from_call({"user_id": 5, "update": UserUpdate()})

    assert isinstance(request, user_pb2.UpdateUserRequest)
    assert request.HasField("update_mask")
    assert list(request.update_mask.paths) == []


def test_a_nested_dataclass_argument_becomes_the_request_message() -> None:
    request = _METHODS["create_user"].request_from_call(
        {"user": NewUser(username="ada", email="ada@example.com", password="secret")}
    )

    assert isinstance(request, user_pb2.CreateUserRequest)
    assert (request.username, request.email) == ("ada", "ada@example.com")
    assert request.WhichOneof("credential") == "password"
