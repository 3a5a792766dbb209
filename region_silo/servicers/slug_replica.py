"""Serves ``silo.organization.v1.OrganizationSlugReservationReplicaService``."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from shared.generated.silo.organization.v1 import organization_pb2 as pb
from shared.generated.silo.organization.v1 import organization_pb2_grpc as pb_grpc
from shared.rpc.server import Registration
from shared.services.slug_replica.service import SlugReservation, SlugReservationReplicaService


class SlugReservationReplicaServicer(pb_grpc.OrganizationSlugReservationReplicaServiceServicer):
    """Adapts the wire API to a ``SlugReservationReplicaService``."""

    def __init__(self, service: SlugReservationReplicaService) -> None:
        self._service = service

    def UpsertReplica(
        self, request: pb.UpsertReplicaRequest, context: grpc.ServicerContext
    ) -> pb.UpsertReplicaResponse:
        self._service.upsert_replica(
            reservation=SlugReservation(
                id=request.organization_slug_reservation_id,
                slug=request.slug,
                organization_id=request.organization_id,
                user_id=request.user_id if request.HasField("user_id") else None,
                region_name=request.region_name,
                reservation_type=request.reservation_type,
            )
        )
        return pb.UpsertReplicaResponse()

    def DeleteReplica(
        self, request: pb.DeleteReplicaRequest, context: grpc.ServicerContext
    ) -> pb.DeleteReplicaResponse:
        self._service.delete_replica(reservation_id=request.organization_slug_reservation_id)
        return pb.DeleteReplicaResponse()


def registration(service: SlugReservationReplicaService) -> Registration:
    """A server registration for the replica service."""

    def register(server: grpc.Server) -> Sequence[str]:
        pb_grpc.add_OrganizationSlugReservationReplicaServiceServicer_to_server(
            SlugReservationReplicaServicer(service), server
        )
        return [
            pb.DESCRIPTOR.services_by_name["OrganizationSlugReservationReplicaService"].full_name
        ]

    return register
