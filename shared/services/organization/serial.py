"""Conversions between organization values and their protobuf messages."""

from __future__ import annotations

from shared.errors import InvalidArgument
from shared.generated.silo.organization.v1 import organization_pb2 as pb
from shared.rpc.timestamps import from_timestamp, to_timestamp
from shared.services.organization.model import (
    MemberRole,
    Organization,
    OrganizationMember,
    OrganizationStatus,
    Team,
)
from shared.services.user.serial import user_from_pb, user_to_pb


def role_from_text(text: str, field: str = "role") -> MemberRole:
    """A role from its name; ``InvalidArgument`` naming ``field`` otherwise."""
    try:
        return MemberRole(text)
    except ValueError:
        choices = ", ".join(role.value for role in MemberRole)
        raise InvalidArgument(f"{text!r} is not one of {choices}", field=field) from None


def status_to_pb(status: OrganizationStatus) -> int:
    """Wire enum numbers are the stored numbers plus one (0 is UNSPECIFIED)."""
    return int(status) + 1


def organization_to_pb(organization: Organization) -> pb.Organization:
    """The wire form of an organization."""
    return pb.Organization(
        id=organization.id,
        slug=organization.slug,
        name=organization.name,
        status=status_to_pb(organization.status),  # type: ignore[arg-type]
        default_role=organization.default_role.value,
        date_added=to_timestamp(organization.date_added),
        is_test=organization.is_test,
        flags=organization.flags,
    )


def organization_from_pb(message: pb.Organization) -> Organization:
    """The organization a wire message describes."""
    return Organization(
        id=message.id,
        slug=message.slug,
        name=message.name,
        status=OrganizationStatus(max(0, int(message.status) - 1)),
        default_role=MemberRole(message.default_role),
        date_added=from_timestamp(message.date_added),
        is_test=message.is_test,
        flags=message.flags,
    )


def member_to_pb(member: OrganizationMember) -> pb.OrganizationMember:
    """The wire form of a membership."""
    message = pb.OrganizationMember(
        id=member.id,
        organization_id=member.organization_id,
        user_id=member.user_id,
        email=member.email,
        role=member.role.value,
        user_is_active=member.user_is_active,
        user_email=member.user_email,
        inviter_id=member.inviter_id,
        date_added=to_timestamp(member.date_added),
    )
    if member.user is not None:
        message.user.CopyFrom(user_to_pb(member.user))
    return message


def member_from_pb(message: pb.OrganizationMember) -> OrganizationMember:
    """The membership a wire message describes."""
    return OrganizationMember(
        id=message.id,
        organization_id=message.organization_id,
        user_id=message.user_id if message.HasField("user_id") else None,
        email=message.email,
        role=MemberRole(message.role),
        user_is_active=message.user_is_active,
        user_email=message.user_email,
        inviter_id=message.inviter_id if message.HasField("inviter_id") else None,
        date_added=from_timestamp(message.date_added),
        user=user_from_pb(message.user) if message.HasField("user") else None,
    )


def team_to_pb(team: Team) -> pb.Team:
    """The wire form of a team."""
    return pb.Team(id=team.id, organization_id=team.organization_id, slug=team.slug, name=team.name)


def team_from_pb(message: pb.Team) -> Team:
    """The team a wire message describes."""
    return Team(
        id=message.id,
        organization_id=message.organization_id,
        slug=message.slug,
        name=message.name,
    )
