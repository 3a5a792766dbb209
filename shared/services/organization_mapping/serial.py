"""Conversions between organization mapping values and their protobuf messages."""

from __future__ import annotations

from shared.generated.silo.organization.v1 import organization_mapping_pb2 as pb
from shared.rpc.timestamps import from_timestamp, to_timestamp
from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMapping,
    OrganizationMappingUpdate,
)


def mapping_to_pb(mapping: OrganizationMapping) -> pb.OrganizationMapping:
    """The wire form of a mapping."""
    return pb.OrganizationMapping(
        organization_id=mapping.organization_id,
        slug=mapping.slug,
        name=mapping.name,
        region_name=mapping.region_name,
        status=mapping.status,
        verified=mapping.verified,
        date_created=to_timestamp(mapping.date_created),
    )


def mapping_from_pb(message: pb.OrganizationMapping) -> OrganizationMapping:
    """The mapping a wire message describes."""
    return OrganizationMapping(
        organization_id=message.organization_id,
        slug=message.slug,
        name=message.name,
        region_name=message.region_name,
        status=message.status,
        verified=message.verified,
        date_created=from_timestamp(message.date_created),
    )


def update_to_pb(update: OrganizationMappingUpdate) -> pb.UpsertRequest:
    """The wire form of a mapping update."""
    return pb.UpsertRequest(
        organization_id=update.organization_id,
        slug=update.slug,
        name=update.name,
        region_name=update.region_name,
        status=update.status,
        version=update.version,
    )


def update_from_pb(message: pb.UpsertRequest) -> OrganizationMappingUpdate:
    """The mapping update a wire message describes."""
    return OrganizationMappingUpdate(
        organization_id=message.organization_id,
        slug=message.slug,
        name=message.name,
        region_name=message.region_name,
        status=message.status,
        version=message.version,
    )


def member_update_to_pb(update: MemberMappingUpdate) -> pb.UpsertMemberRequest:
    """The wire form of a membership update."""
    return pb.UpsertMemberRequest(
        organization_id=update.organization_id,
        organizationmember_id=update.organizationmember_id,
        user_id=update.user_id,
        email=update.email,
        role=update.role,
        inviter_id=update.inviter_id,
        version=update.version,
    )


def member_update_from_pb(message: pb.UpsertMemberRequest) -> MemberMappingUpdate:
    """The membership update a wire message describes."""
    return MemberMappingUpdate(
        organization_id=message.organization_id,
        organizationmember_id=message.organizationmember_id,
        user_id=message.user_id if message.HasField("user_id") else None,
        email=message.email,
        role=message.role,
        inviter_id=message.inviter_id if message.HasField("inviter_id") else None,
        version=message.version,
    )
