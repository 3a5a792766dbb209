"""Every registered service's interface and its protobuf service agree, method by method and
field by field: a drift fails here instead of at the first call (the implementations are
checked against the interfaces in tests/region/test_implementations_conform.py)."""

from __future__ import annotations

import dataclasses
import enum
import inspect
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, get_args, get_origin

import pytest

from shared.services.registry import SERVICES, ServiceSpec
from shared.wire.binding import MethodBinding
from shared.wire.convert import field_hints, is_dataclass_type, unwrap_optional

SAMPLE_TIME = datetime(2024, 2, 29, 13, 14, 15, 678000, tzinfo=UTC)


def sample(hint: Any, *, empty_optionals: bool) -> Any:
    """A value of type ``hint`` with nothing at its zero value, so a field the conversion drops or
    mixes up shows in a round trip; optionals are all ``None`` or all set."""
    inner, optional = unwrap_optional(hint)
    if optional and empty_optionals:
        return None

    def one(item_hint: Any) -> Any:
        return sample(item_hint, empty_optionals=empty_optionals)

    args = get_args(inner)
    containers: dict[Any, Callable[[], Any]] = {
        list: lambda: [one(args[0])],
        Sequence: lambda: [one(args[0])],
        tuple: lambda: (one(args[0]),),
        frozenset: lambda: frozenset({one(args[0])}),
        dict: lambda: {one(args[0]): one(args[1])},
        Mapping: lambda: {one(args[0]): one(args[1])},
    }
    if get_origin(inner) in containers:
        return containers[get_origin(inner)]()
    if is_dataclass_type(inner):
        return inner(**{name: one(field_hint) for name, field_hint in field_hints(inner).items()})
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        # The last member: its wire number differs from its value when UNSPECIFIED is 0.
        return list(inner)[-1]
    return {int: 7, str: "text", bool: True, datetime: SAMPLE_TIME}[inner]


METHODS = [
    pytest.param(spec, method, id=f"{spec.interface.__name__}.{name}")
    for spec in SERVICES
    for name, method in spec.binding.methods.items()
]


@pytest.mark.parametrize("empty_optionals", [False, True], ids=["set", "none"])
@pytest.mark.parametrize(("spec", "method"), METHODS)
def test_arguments_survive_the_wire(
    spec: ServiceSpec[Any], method: MethodBinding, empty_optionals: bool
) -> None:
    arguments = {
        parameter.name: sample(method.hints[parameter.name], empty_optionals=empty_optionals)
        for parameter in method.parameters
    }
    request = method.request_class.FromString(
        method.request_from_call(arguments).SerializeToString()
    )
    received = method.arguments_from_request(request)
    expected = {
        name: _first_oneof_member_only(method, value)
        for name, value in arguments.items()
        # An unset optional argument is left to the interface's default on the server.
        if not (value is None and name not in received)
    }
    assert received == expected


def _first_oneof_member_only(method: MethodBinding, value: Any) -> Any:
    """``value`` as a flattened request carries it: only the first set member of each oneof."""
    if not is_dataclass_type(type(value)):
        return value
    fields = method.request_class.DESCRIPTOR.fields_by_name
    seen: set[str] = set()
    cleared: dict[str, None] = {}
    for name in field_hints(type(value)):
        oneof = fields[name].containing_oneof if name in fields else None
        if oneof is None or getattr(value, name) is None or len(oneof.fields) < 2:
            continue
        if oneof.name in seen:
            cleared[name] = None
        seen.add(oneof.name)
    return dataclasses.replace(value, **cleared)


@pytest.mark.parametrize("empty_optionals", [False, True], ids=["set", "none"])
@pytest.mark.parametrize(("spec", "method"), METHODS)
def test_results_survive_the_wire(
    spec: ServiceSpec[Any], method: MethodBinding, empty_optionals: bool
) -> None:
    hint = method.hints["return"]
    result = None if hint is type(None) else sample(hint, empty_optionals=empty_optionals)
    response = method.response_class.FromString(
        method.response_from_result(result).SerializeToString()
    )
    assert method.result_from_response(response) == result


@pytest.mark.parametrize(("spec", "method"), METHODS)
def test_every_request_field_is_an_argument(spec: ServiceSpec[Any], method: MethodBinding) -> None:
    consumed: set[str] = set()
    for parameter in method.parameters:
        wire = method.wire_names.get(parameter.name, parameter.name)
        inner = unwrap_optional(method.hints[parameter.name])[0]
        if wire in method.request_class.DESCRIPTOR.fields_by_name:
            consumed.add(wire)
        else:
            assert is_dataclass_type(inner), f"{parameter.name} has no field in the request"
            consumed |= {method.wire_names.get(name, name) for name in field_hints(inner)}
    fields = set(method.request_class.DESCRIPTOR.fields_by_name)
    # A repeated field's presence flag travels with it (see shared/wire/convert.py).
    consumed |= {f"has_{name}" for name in consumed}
    assert fields - consumed <= {"update_mask"}


@pytest.mark.parametrize(("spec", "method"), METHODS)
def test_parameters_are_keyword_only(spec: ServiceSpec[Any], method: MethodBinding) -> None:
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in method.parameters)


def test_dataclass_fields_have_no_mutable_defaults() -> None:
    """Values crossing the wire are frozen, so a converted value can be shared safely."""
    for spec in SERVICES:
        for method in spec.binding.methods.values():
            for hint in method.hints.values():
                inner = unwrap_optional(hint)[0]
                if is_dataclass_type(inner):
                    assert inner.__dataclass_params__.frozen, inner
                    assert all(
                        not isinstance(f.default, list | dict | set)
                        for f in dataclasses.fields(inner)
                    )
