"""Serves ``silo.cache.v1.RegionCacheService``."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from shared.generated.silo.cache.v1 import cache_pb2 as pb
from shared.generated.silo.cache.v1 import cache_pb2_grpc as pb_grpc
from shared.rpc.server import Registration
from shared.services.region_cache.service import RegionCacheService


class RegionCacheServicer(pb_grpc.RegionCacheServiceServicer):
    """Adapts the wire API to a ``RegionCacheService``."""

    def __init__(self, service: RegionCacheService) -> None:
        self._service = service

    def ClearKeys(
        self, request: pb.ClearKeysRequest, context: grpc.ServicerContext
    ) -> pb.ClearKeysResponse:
        self._service.clear_keys(keys=list(request.keys))
        return pb.ClearKeysResponse()


def registration(service: RegionCacheService) -> Registration:
    """A server registration for the region cache service."""

    def register(server: grpc.Server) -> Sequence[str]:
        pb_grpc.add_RegionCacheServiceServicer_to_server(RegionCacheServicer(service), server)
        return [pb.DESCRIPTOR.services_by_name["RegionCacheService"].full_name]

    return register
