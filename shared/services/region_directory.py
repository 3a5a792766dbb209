"""The regions the control silo knows, and a gRPC client to each region's services."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TypeVar

import grpc

from shared.errors import InvalidArgument
from shared.services.organization.service import OrganizationService
from shared.services.registry import spec_of
from shared.silo_mode import SiloMode

Service = TypeVar("Service")


class RegionDirectory:
    """Region name -> address, with one lazily opened channel per region."""

    def __init__(
        self,
        regions: Mapping[str, str],
        open_channel: Callable[[str], grpc.Channel],
        timeout: float = 5.0,
    ) -> None:
        self._regions = dict(regions)
        # A directory configured without regions accepts any region name (regions added later
        # only give addresses).
        self._open = not self._regions
        self._open_channel = open_channel
        self._timeout = timeout
        self._channels: dict[str, grpc.Channel] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        """Every configured region, sorted."""
        return sorted(self._regions)

    def knows(self, region_name: str) -> bool:
        """Whether ``region_name`` is configured (a directory configured empty accepts any
        region)."""
        return self._open or region_name in self._regions

    def require(self, region_name: str, field: str = "region_name") -> str:
        """``region_name`` if known, else ``InvalidArgument`` naming the configured regions."""
        if not region_name:
            raise InvalidArgument("is required", field=field)
        if not self.knows(region_name):
            raise InvalidArgument(
                f"{region_name!r} is not one of the configured regions {self.names}", field=field
            )
        return region_name

    def add(self, region_name: str, address: str) -> None:
        """Gives ``region_name`` (a region started after the directory was built) its address."""
        with self._lock:
            self._regions[region_name] = address
            channel = self._channels.pop(region_name, None)
        if channel is not None:
            channel.close()

    def discard(self, region_name: str) -> None:
        """Forgets ``region_name`` and closes its channel (no-op when unknown)."""
        with self._lock:
            self._regions.pop(region_name, None)
            channel = self._channels.pop(region_name, None)
        if channel is not None:
            channel.close()

    def _channel(self, region_name: str) -> grpc.Channel:
        if region_name not in self._regions:
            raise InvalidArgument(f"no address is configured for {region_name!r}", field="region")
        with self._lock:
            if region_name not in self._channels:
                self._channels[region_name] = self._open_channel(self._regions[region_name])
            return self._channels[region_name]

    def service(self, interface: type[Service], region_name: str) -> Service:
        """A client of the registered region service ``interface`` in ``region_name``."""
        spec = spec_of(interface)
        if spec.owner is not SiloMode.REGION:
            raise ValueError(f"{interface.__name__} is not a region service")
        return spec.remote(self._channel(region_name), self._timeout)

    def organization_service(self, region_name: str) -> OrganizationService:
        """A client of the region's organization service."""
        return self.service(OrganizationService, region_name)

    def close(self) -> None:
        """Closes every open channel."""
        with self._lock:
            for channel in self._channels.values():
                channel.close()
            self._channels.clear()
