"""Which request types get the string checks at the edge: every one that can carry a string."""

from __future__ import annotations

import pytest
from google.protobuf import duration_pb2, struct_pb2
from google.protobuf.descriptor import Descriptor

from shared import validation
from shared.services.registry import SERVICES


def _request_types() -> list[Descriptor]:
    return [
        method.rpc.input_type for service in SERVICES for method in service.binding.methods.values()
    ]


def _strings_inside(descriptor: Descriptor, seen: set[str]) -> bool:
    """Written out without a memo: walks every field of every nested type."""
    if descriptor.full_name in seen:
        return False
    seen.add(descriptor.full_name)
    for field in descriptor.fields:
        if field.type == field.TYPE_STRING:
            return True
        if field.message_type is not None and _strings_inside(field.message_type, seen):
            return True
    return False


@pytest.mark.parametrize("descriptor", _request_types(), ids=lambda d: d.full_name)
def test_a_request_type_is_checked_whenever_it_can_hold_a_string(descriptor: Descriptor) -> None:
    assert validation.carries_strings(descriptor) is _strings_inside(descriptor, set())


def test_both_kinds_occur_among_the_requests() -> None:
    kinds = {validation.carries_strings(descriptor) for descriptor in _request_types()}
    assert kinds == {True, False}


def test_strings_in_map_keys_and_nested_messages_count() -> None:
    # Struct is a map<string, Value>, and a Value holds a Struct again.
    assert validation.carries_strings(struct_pb2.Struct.DESCRIPTOR)
    assert validation.carries_strings(struct_pb2.ListValue.DESCRIPTOR)
    assert not validation.carries_strings(duration_pb2.Duration.DESCRIPTOR)
