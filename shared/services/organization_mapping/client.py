"""The organization mapping services over gRPC."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from shared.generated.silo.organization.v1 import organization_mapping_pb2 as pb
from shared.generated.silo.organization.v1 import organization_mapping_pb2_grpc as pb_grpc
from shared.rpc.channel import DEFAULT_TIMEOUT_SECONDS, call
from shared.services.organization_mapping import serial
from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMapping,
    OrganizationMappingUpdate,
)
from shared.services.organization_mapping.service import (
    OrganizationMappingService,
    OrganizationMemberMappingService,
)


class OrganizationMappingServiceClient(OrganizationMappingService):
    """Calls ``silo.organization.v1.OrganizationMappingService`` with a deadline on every call."""

    def __init__(self, channel: grpc.Channel, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._stub = pb_grpc.OrganizationMappingServiceStub(channel)
        self._timeout = timeout

    def get(self, *, organization_id: int) -> OrganizationMapping:
        request = pb.GetRequest(organization_id=organization_id)
        return serial.mapping_from_pb(call(self._stub.Get, request, timeout=self._timeout).mapping)

    def get_many(self, *, organization_ids: Sequence[int]) -> list[OrganizationMapping]:
        request = pb.GetManyRequest(organization_ids=organization_ids)
        response = call(self._stub.GetMany, request, timeout=self._timeout)
        return [serial.mapping_from_pb(mapping) for mapping in response.mappings]

    def get_by_slug(self, *, slug: str) -> OrganizationMapping:
        request = pb.GetBySlugRequest(slug=slug)
        response = call(self._stub.GetBySlug, request, timeout=self._timeout)
        return serial.mapping_from_pb(response.mapping)

    def upsert(self, *, update: OrganizationMappingUpdate) -> bool:
        request = serial.update_to_pb(update)
        return bool(call(self._stub.Upsert, request, timeout=self._timeout).applied)

    def delete(self, *, organization_id: int) -> None:
        request = pb.DeleteRequest(organization_id=organization_id)
        call(self._stub.Delete, request, timeout=self._timeout)


class OrganizationMemberMappingServiceClient(OrganizationMemberMappingService):
    """Calls ``silo.organization.v1.OrganizationMemberMappingService``."""

    def __init__(self, channel: grpc.Channel, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._stub = pb_grpc.OrganizationMemberMappingServiceStub(channel)
        self._timeout = timeout

    def upsert_member(self, *, update: MemberMappingUpdate) -> bool:
        request = serial.member_update_to_pb(update)
        return bool(call(self._stub.UpsertMember, request, timeout=self._timeout).applied)

    def delete_member(
        self, *, organization_id: int, organizationmember_id: int, version: int
    ) -> bool:
        request = pb.DeleteMemberRequest(
            organization_id=organization_id,
            organizationmember_id=organizationmember_id,
            version=version,
        )
        return bool(call(self._stub.DeleteMember, request, timeout=self._timeout).applied)
