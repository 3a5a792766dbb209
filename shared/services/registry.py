"""Every cross-silo service, declared once: its interface, the silo that owns it and its protobuf
service. Clients, servers, delegating handles and the contract suite are all built from here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar, cast

import grpc
from google.protobuf.descriptor import ServiceDescriptor

from shared.generated.silo.auth.v1 import auth_pb2
from shared.generated.silo.cache.v1 import cache_pb2
from shared.generated.silo.organization.v1 import (
    control_outbox_pb2,
    organization_mapping_pb2,
    organization_pb2,
    provisioning_pb2,
    region_outbox_pb2,
)
from shared.generated.silo.user.v1 import user_option_pb2, user_pb2
from shared.rpc.channel import DEFAULT_TIMEOUT_SECONDS
from shared.rpc.server import Registration
from shared.services.auth.service import AuthService
from shared.services.control_outbox.service import ControlOutboxService
from shared.services.organization.service import OrganizationService
from shared.services.organization_mapping.service import (
    OrganizationMappingService,
    OrganizationMemberMappingService,
)
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.region_cache.service import RegionCacheService
from shared.services.region_outbox.service import RegionOutboxService
from shared.services.slug_replica.service import SlugReservationReplicaService
from shared.services.user.service import UserService
from shared.services.user_option.service import UserOptionService
from shared.silo_mode import SiloMode
from shared.wire.binding import ServiceBinding, bind
from shared.wire.client import RemoteService
from shared.wire.servicer import registration

Service = TypeVar("Service")


@dataclass(frozen=True)
class ServiceSpec(Generic[Service]):
    """One service: its interface, its owner and its protobuf service.

    ``wire_names`` renames the few request fields whose wire name differs from the parameter's:
    method name -> {python name: wire name}.
    """

    interface: type[Service]
    owner: SiloMode
    service: ServiceDescriptor
    wire_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @cached_property
    def binding(self) -> ServiceBinding:
        """The interface bound to the protobuf service, method by method."""
        return bind(self.interface, self.service, self.wire_names)

    @property
    def name(self) -> str:
        """The protobuf service's full name."""
        return str(self.service.full_name)

    def remote(self, channel: grpc.Channel, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> Service:
        """A client of the service over ``channel``, with ``timeout`` on every call."""
        return cast(Service, RemoteService(self.binding, channel, timeout))

    def registration(self, implementation: Service) -> Registration:
        """Serves the service from ``implementation`` on a server."""
        return registration(self.binding, implementation)


def _service(module: Any, name: str) -> ServiceDescriptor:
    return cast(ServiceDescriptor, module.DESCRIPTOR.services_by_name[name])


_RESERVATION_ID = "organization_slug_reservation_id"

USER = ServiceSpec(UserService, SiloMode.CONTROL, _service(user_pb2, "UserService"))
USER_OPTION = ServiceSpec(
    UserOptionService, SiloMode.CONTROL, _service(user_option_pb2, "UserOptionService")
)
AUTH = ServiceSpec(AuthService, SiloMode.CONTROL, _service(auth_pb2, "AuthService"))
ORGANIZATION_MAPPING = ServiceSpec(
    OrganizationMappingService,
    SiloMode.CONTROL,
    _service(organization_mapping_pb2, "OrganizationMappingService"),
)
MEMBER_MAPPING = ServiceSpec(
    OrganizationMemberMappingService,
    SiloMode.CONTROL,
    _service(organization_mapping_pb2, "OrganizationMemberMappingService"),
)
PROVISIONING = ServiceSpec(
    OrganizationProvisioningService,
    SiloMode.CONTROL,
    _service(provisioning_pb2, "OrganizationProvisioningService"),
)
REGION_OUTBOX = ServiceSpec(
    RegionOutboxService, SiloMode.CONTROL, _service(region_outbox_pb2, "RegionOutboxService")
)
ORGANIZATION = ServiceSpec(
    OrganizationService, SiloMode.REGION, _service(organization_pb2, "OrganizationService")
)
SLUG_REPLICA = ServiceSpec(
    SlugReservationReplicaService,
    SiloMode.REGION,
    _service(organization_pb2, "OrganizationSlugReservationReplicaService"),
    wire_names={
        "upsert_replica": {"id": _RESERVATION_ID},
        "delete_replica": {"reservation_id": _RESERVATION_ID},
        "rename_from_reservation": {"id": _RESERVATION_ID},
    },
)
REGION_CACHE = ServiceSpec(
    RegionCacheService, SiloMode.REGION, _service(cache_pb2, "RegionCacheService")
)
CONTROL_OUTBOX = ServiceSpec(
    ControlOutboxService, SiloMode.REGION, _service(control_outbox_pb2, "ControlOutboxService")
)

SERVICES: tuple[ServiceSpec[Any], ...] = (
    USER,
    USER_OPTION,
    AUTH,
    ORGANIZATION_MAPPING,
    MEMBER_MAPPING,
    PROVISIONING,
    REGION_OUTBOX,
    ORGANIZATION,
    SLUG_REPLICA,
    REGION_CACHE,
    CONTROL_OUTBOX,
)


def spec_of(interface: type[Service]) -> ServiceSpec[Service]:
    """The registered spec of ``interface``."""
    for spec in SERVICES:
        if spec.interface is interface:
            return cast(ServiceSpec[Service], spec)
    raise LookupError(f"{interface.__name__} is not a registered service")


def owned_by(owner: SiloMode) -> tuple[ServiceSpec[Any], ...]:
    """The services the ``owner`` silo serves."""
    return tuple(spec for spec in SERVICES if spec.owner is owner)


def remote(
    interface: type[Service], channel: grpc.Channel, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> Service:
    """A gRPC client of the registered ``interface`` over ``channel`` (from
    ``shared.rpc.channel.open_channel``), with ``timeout`` on every call."""
    return spec_of(interface).remote(channel, timeout)
