"""Serves ``silo.organization.v1.OrganizationProvisioningService``."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from shared.generated.silo.organization.v1 import provisioning_pb2 as pb
from shared.generated.silo.organization.v1 import provisioning_pb2_grpc as pb_grpc
from shared.rpc.server import Registration
from shared.services.provisioning.service import OrganizationProvisioningService


class ProvisioningServicer(pb_grpc.OrganizationProvisioningServiceServicer):
    """Adapts the wire API to an ``OrganizationProvisioningService``."""

    def __init__(self, service: OrganizationProvisioningService) -> None:
        self._service = service

    def ProvisionOrganization(
        self, request: pb.ProvisionOrganizationRequest, context: grpc.ServicerContext
    ) -> pb.ProvisionOrganizationResponse:
        organization_id = self._service.provision_organization(
            slug=request.slug,
            name=request.name,
            region_name=request.region_name,
            owner_user_id=request.owner_user_id,
        )
        return pb.ProvisionOrganizationResponse(organization_id=organization_id)

    def UpdateOrganizationSlug(
        self,
        request: pb.OrganizationProvisioningServiceUpdateOrganizationSlugRequest,
        context: grpc.ServicerContext,
    ) -> pb.OrganizationProvisioningServiceUpdateOrganizationSlugResponse:
        previous = self._service.update_organization_slug(
            organization_id=request.organization_id,
            slug=request.slug,
            region_name=request.region_name,
        )
        return pb.OrganizationProvisioningServiceUpdateOrganizationSlugResponse(
            previous_slug=previous
        )

    def BulkCreateOrganizationSlugReservations(
        self,
        request: pb.BulkCreateOrganizationSlugReservationsRequest,
        context: grpc.ServicerContext,
    ) -> pb.BulkCreateOrganizationSlugReservationsResponse:
        self._service.bulk_create_organization_slug_reservations(
            region_name=request.region_name, slug_mapping=dict(request.slug_mapping)
        )
        return pb.BulkCreateOrganizationSlugReservationsResponse()


def registration(service: OrganizationProvisioningService) -> Registration:
    """A server registration for the provisioning service."""

    def register(server: grpc.Server) -> Sequence[str]:
        pb_grpc.add_OrganizationProvisioningServiceServicer_to_server(
            ProvisioningServicer(service), server
        )
        return [pb.DESCRIPTOR.services_by_name["OrganizationProvisioningService"].full_name]

    return register
