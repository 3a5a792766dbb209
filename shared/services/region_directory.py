"""The regions the control silo knows, and a gRPC client to each region's services."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

import grpc

from shared.errors import InvalidArgument
from shared.services.organization.client import OrganizationServiceClient
from shared.services.organization.service import OrganizationService
from shared.services.region_cache.client import RegionCacheServiceClient
from shared.services.region_cache.service import RegionCacheService
from shared.services.slug_replica.client import SlugReservationReplicaServiceClient
from shared.services.slug_replica.service import SlugReservationReplicaService


class RegionDirectory:
    """Region name -> address, with one lazily opened channel per region."""

    def __init__(
        self,
        regions: Mapping[str, str],
        open_channel: Callable[[str], grpc.Channel],
        timeout: float = 5.0,
    ) -> None:
        self._regions = dict(regions)
        self._open_channel = open_channel
        self._timeout = timeout
        self._channels: dict[str, grpc.Channel] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        """Every configured region, sorted."""
        return sorted(self._regions)

    def knows(self, region_name: str) -> bool:
        """Whether ``region_name`` is configured (an empty directory accepts any region)."""
        return not self._regions or region_name in self._regions

    def require(self, region_name: str, field: str = "region_name") -> str:
        """``region_name`` if known, else ``InvalidArgument`` naming the configured regions."""
        if not region_name:
            raise InvalidArgument("is required", field=field)
        if not self.knows(region_name):
            raise InvalidArgument(
                f"{region_name!r} is not one of the configured regions {self.names}", field=field
            )
        return region_name

    def _channel(self, region_name: str) -> grpc.Channel:
        if region_name not in self._regions:
            raise InvalidArgument(f"no address is configured for {region_name!r}", field="region")
        with self._lock:
            if region_name not in self._channels:
                self._channels[region_name] = self._open_channel(self._regions[region_name])
            return self._channels[region_name]

    def organization_service(self, region_name: str) -> OrganizationService:
        """A client of the region's organization service."""
        return OrganizationServiceClient(self._channel(region_name), self._timeout)

    def slug_replica_service(self, region_name: str) -> SlugReservationReplicaService:
        """A client of the region's slug reservation replica."""
        return SlugReservationReplicaServiceClient(self._channel(region_name), self._timeout)

    def region_cache_service(self, region_name: str) -> RegionCacheService:
        """A client of the region's cache service."""
        return RegionCacheServiceClient(self._channel(region_name), self._timeout)

    def close(self) -> None:
        """Closes every open channel."""
        with self._lock:
            for channel in self._channels.values():
                channel.close()
            self._channels.clear()
