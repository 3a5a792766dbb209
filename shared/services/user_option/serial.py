"""Conversions between user options and their protobuf messages."""

from __future__ import annotations

from shared.generated.silo.user.v1 import user_option_pb2 as pb
from shared.services.user_option.model import UserOption


def option_to_pb(option: UserOption) -> pb.UserOption:
    """The wire form of a user option."""
    return pb.UserOption(
        id=option.id,
        user_id=option.user_id,
        key=option.key,
        value_json=option.value_json,
        project_id=option.project_id,
        organization_id=option.organization_id,
    )


def option_from_pb(message: pb.UserOption) -> UserOption:
    """The user option a wire message describes."""
    return UserOption(
        id=message.id,
        user_id=message.user_id,
        key=message.key,
        value_json=message.value_json,
        project_id=message.project_id if message.HasField("project_id") else None,
        organization_id=(message.organization_id if message.HasField("organization_id") else None),
    )
