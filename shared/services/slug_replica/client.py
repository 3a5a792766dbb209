"""The slug reservation replica service over gRPC (called by the control silo's drainer)."""

from __future__ import annotations

import grpc

from shared.generated.silo.organization.v1 import organization_pb2 as pb
from shared.generated.silo.organization.v1 import organization_pb2_grpc as pb_grpc
from shared.rpc.channel import DEFAULT_TIMEOUT_SECONDS, call
from shared.services.slug_replica.service import SlugReservation, SlugReservationReplicaService


class SlugReservationReplicaServiceClient(SlugReservationReplicaService):
    """Calls ``silo.organization.v1.OrganizationSlugReservationReplicaService`` of one region."""

    def __init__(self, channel: grpc.Channel, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._stub = pb_grpc.OrganizationSlugReservationReplicaServiceStub(channel)
        self._timeout = timeout

    def upsert_replica(self, *, reservation: SlugReservation) -> None:
        request = pb.UpsertReplicaRequest(
            organization_slug_reservation_id=reservation.id,
            slug=reservation.slug,
            organization_id=reservation.organization_id,
            user_id=reservation.user_id,
            region_name=reservation.region_name,
            reservation_type=reservation.reservation_type,
        )
        call(self._stub.UpsertReplica, request, timeout=self._timeout)

    def delete_replica(self, *, reservation_id: int) -> None:
        request = pb.DeleteReplicaRequest(organization_slug_reservation_id=reservation_id)
        call(self._stub.DeleteReplica, request, timeout=self._timeout)
