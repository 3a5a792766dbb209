"""The region cache service over gRPC (called by the control silo's drainer)."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from shared.generated.silo.cache.v1 import cache_pb2 as pb
from shared.generated.silo.cache.v1 import cache_pb2_grpc as pb_grpc
from shared.rpc.channel import DEFAULT_TIMEOUT_SECONDS, call
from shared.services.region_cache.service import RegionCacheService


class RegionCacheServiceClient(RegionCacheService):
    """Calls ``silo.cache.v1.RegionCacheService`` of one region."""

    def __init__(self, channel: grpc.Channel, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._stub = pb_grpc.RegionCacheServiceStub(channel)
        self._timeout = timeout

    def clear_keys(self, *, keys: Sequence[str]) -> None:
        call(self._stub.ClearKeys, pb.ClearKeysRequest(keys=keys), timeout=self._timeout)
