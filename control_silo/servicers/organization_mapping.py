"""Serves the organization and membership mapping services."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from shared.generated.silo.organization.v1 import organization_mapping_pb2 as pb
from shared.generated.silo.organization.v1 import organization_mapping_pb2_grpc as pb_grpc
from shared.rpc.server import Registration
from shared.services.organization_mapping import serial
from shared.services.organization_mapping.service import (
    OrganizationMappingService,
    OrganizationMemberMappingService,
)


class OrganizationMappingServicer(pb_grpc.OrganizationMappingServiceServicer):
    """Adapts the wire API to an ``OrganizationMappingService``."""

    def __init__(self, service: OrganizationMappingService) -> None:
        self._service = service

    def Get(self, request: pb.GetRequest, context: grpc.ServicerContext) -> pb.GetResponse:
        mapping = self._service.get(organization_id=request.organization_id)
        return pb.GetResponse(mapping=serial.mapping_to_pb(mapping))

    def GetMany(
        self, request: pb.GetManyRequest, context: grpc.ServicerContext
    ) -> pb.GetManyResponse:
        mappings = self._service.get_many(organization_ids=list(request.organization_ids))
        return pb.GetManyResponse(mappings=[serial.mapping_to_pb(m) for m in mappings])

    def GetBySlug(
        self, request: pb.GetBySlugRequest, context: grpc.ServicerContext
    ) -> pb.GetBySlugResponse:
        mapping = self._service.get_by_slug(slug=request.slug)
        return pb.GetBySlugResponse(mapping=serial.mapping_to_pb(mapping))

    def Upsert(self, request: pb.UpsertRequest, context: grpc.ServicerContext) -> pb.UpsertResponse:
        return pb.UpsertResponse(
            applied=self._service.upsert(update=serial.update_from_pb(request))
        )

    def Delete(self, request: pb.DeleteRequest, context: grpc.ServicerContext) -> pb.DeleteResponse:
        self._service.delete(organization_id=request.organization_id)
        return pb.DeleteResponse()


class OrganizationMemberMappingServicer(pb_grpc.OrganizationMemberMappingServiceServicer):
    """Adapts the wire API to an ``OrganizationMemberMappingService``."""

    def __init__(self, service: OrganizationMemberMappingService) -> None:
        self._service = service

    def UpsertMember(
        self, request: pb.UpsertMemberRequest, context: grpc.ServicerContext
    ) -> pb.UpsertMemberResponse:
        applied = self._service.upsert_member(update=serial.member_update_from_pb(request))
        return pb.UpsertMemberResponse(applied=applied)

    def DeleteMember(
        self, request: pb.DeleteMemberRequest, context: grpc.ServicerContext
    ) -> pb.DeleteMemberResponse:
        applied = self._service.delete_member(
            organization_id=request.organization_id,
            organizationmember_id=request.organizationmember_id,
            version=request.version,
        )
        return pb.DeleteMemberResponse(applied=applied)


def registration(
    mappings: OrganizationMappingService, members: OrganizationMemberMappingService
) -> Registration:
    """A server registration for both mapping services."""

    def register(server: grpc.Server) -> Sequence[str]:
        pb_grpc.add_OrganizationMappingServiceServicer_to_server(
            OrganizationMappingServicer(mappings), server
        )
        pb_grpc.add_OrganizationMemberMappingServiceServicer_to_server(
            OrganizationMemberMappingServicer(members), server
        )
        return [
            pb.DESCRIPTOR.services_by_name["OrganizationMappingService"].full_name,
            pb.DESCRIPTOR.services_by_name["OrganizationMemberMappingService"].full_name,
        ]

    return register
