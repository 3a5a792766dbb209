"""The provisioning service over gRPC."""

from __future__ import annotations

from collections.abc import Mapping

import grpc

from shared.generated.silo.organization.v1 import provisioning_pb2 as pb
from shared.generated.silo.organization.v1 import provisioning_pb2_grpc as pb_grpc
from shared.rpc.channel import DEFAULT_TIMEOUT_SECONDS, call
from shared.services.provisioning.service import OrganizationProvisioningService


class OrganizationProvisioningServiceClient(OrganizationProvisioningService):
    """Calls ``silo.organization.v1.OrganizationProvisioningService``."""

    def __init__(self, channel: grpc.Channel, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._stub = pb_grpc.OrganizationProvisioningServiceStub(channel)
        self._timeout = timeout

    def provision_organization(
        self, *, slug: str, name: str, region_name: str, owner_user_id: int
    ) -> int:
        request = pb.ProvisionOrganizationRequest(
            slug=slug, name=name, region_name=region_name, owner_user_id=owner_user_id
        )
        response = call(self._stub.ProvisionOrganization, request, timeout=self._timeout)
        return int(response.organization_id)

    def update_organization_slug(self, *, organization_id: int, slug: str, region_name: str) -> str:
        request = pb.OrganizationProvisioningServiceUpdateOrganizationSlugRequest(
            organization_id=organization_id, slug=slug, region_name=region_name
        )
        response = call(self._stub.UpdateOrganizationSlug, request, timeout=self._timeout)
        return str(response.previous_slug)

    def bulk_create_organization_slug_reservations(
        self, *, region_name: str, slug_mapping: Mapping[int, str]
    ) -> None:
        request = pb.BulkCreateOrganizationSlugReservationsRequest(
            region_name=region_name, slug_mapping=dict(slug_mapping)
        )
        call(self._stub.BulkCreateOrganizationSlugReservations, request, timeout=self._timeout)
