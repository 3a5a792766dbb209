"""The delegating handles of every registered service, as one process sees them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import grpc

from shared.delegation import Delegator
from shared.rpc.channel import DEFAULT_TIMEOUT_SECONDS
from shared.services.registry import SERVICES, ServiceSpec
from shared.silo_mode import SiloMode

Service = TypeVar("Service")
LocalFactory = Callable[[], Any]
RemoteFactory = Callable[[grpc.Channel, float], Any]


class ServiceDirectory:
    """One delegating handle per registered service: the local implementation where this process
    hosts the service's silo, a gRPC client of the control silo's services elsewhere (a region's
    services are reached per region, through ``RegionDirectory``). Nothing is built until used.

    :param local: factories of this process's database-backed implementations, by interface.
    :param control_channel: opens the signed channel to the control silo (once, when needed).
    :param remote: client factories replacing the plain gRPC client of an interface (a region
        puts its cache in front of the user service this way).
    """

    def __init__(
        self,
        mode: SiloMode,
        *,
        local: Mapping[type[Any], LocalFactory] | None = None,
        control_channel: Callable[[], grpc.Channel] | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        remote: Mapping[type[Any], RemoteFactory] | None = None,
    ) -> None:
        self.mode = mode
        self._control_channel = control_channel
        self._channel: grpc.Channel | None = None
        self._lock = threading.Lock()
        self._timeout = timeout
        self._remote = dict(remote or {})
        local = dict(local or {})
        self._handles: dict[type[Any], Delegator[Any]] = {
            spec.interface: Delegator(
                spec.interface,
                owner=spec.owner,
                mode=mode,
                local=local.get(spec.interface),
                remote=self._remote_factory(spec),
            )
            for spec in SERVICES
        }

    def _remote_factory(self, spec: ServiceSpec[Any]) -> LocalFactory | None:
        if spec.owner is not SiloMode.CONTROL:
            return None
        build: RemoteFactory = self._remote.get(spec.interface, spec.remote)
        return lambda: build(self.control_channel(), self._timeout)

    def control_channel(self) -> grpc.Channel:
        """The one channel to the control silo, opened on first use."""
        with self._lock:
            if self._channel is None:
                if self._control_channel is None:
                    raise RuntimeError("no control silo address is configured")
                self._channel = self._control_channel()
            return self._channel

    def handle(self, interface: type[Service]) -> Delegator[Service]:
        """The delegating handle of ``interface`` (for ``with_replacement`` and ``is_local``)."""
        return cast(Delegator[Service], self._handles[interface])

    def get(self, interface: type[Service]) -> Service:
        """An object with ``interface`` that sends each call where the mode says."""
        return self.handle(interface).proxy()

    def close(self) -> None:
        """Closes the control channel if one was opened."""
        with self._lock:
            if self._channel is not None:
                self._channel.close()
                self._channel = None
