"""The delegating handles of the control silo's services, as every process sees them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import grpc

from shared.delegation import Delegator
from shared.services.auth.client import AuthServiceClient
from shared.services.auth.service import AuthService
from shared.services.organization_mapping.client import (
    OrganizationMappingServiceClient,
    OrganizationMemberMappingServiceClient,
)
from shared.services.organization_mapping.service import (
    OrganizationMappingService,
    OrganizationMemberMappingService,
)
from shared.services.provisioning.client import OrganizationProvisioningServiceClient
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.user.client import UserServiceClient
from shared.services.user.service import UserService
from shared.services.user_option.client import UserOptionServiceClient
from shared.services.user_option.service import UserOptionService
from shared.silo_mode import SiloMode

Service = TypeVar("Service")


@dataclass(frozen=True)
class ControlLocalImplementations:
    """Factories of the database-backed implementations, given by the control silo."""

    user: Callable[[], UserService]
    user_option: Callable[[], UserOptionService]
    auth: Callable[[], AuthService]
    organization_mapping: Callable[[], OrganizationMappingService]
    member_mapping: Callable[[], OrganizationMemberMappingService]
    provisioning: Callable[[], OrganizationProvisioningService]


@dataclass(frozen=True)
class ControlServices:
    """Delegating handles to the control silo's services; callers use them in any mode."""

    user: Delegator[UserService]
    user_option: Delegator[UserOptionService]
    auth: Delegator[AuthService]
    organization_mapping: Delegator[OrganizationMappingService]
    member_mapping: Delegator[OrganizationMemberMappingService]
    provisioning: Delegator[OrganizationProvisioningService]


def control_services(
    mode: SiloMode,
    *,
    local: ControlLocalImplementations | None = None,
    control_channel: Callable[[], grpc.Channel] | None = None,
    timeout: float = 5.0,
    user_client: Callable[[grpc.Channel, float], UserService] = UserServiceClient,
) -> ControlServices:
    """Builds the handles for ``mode``: local implementations in the control silo or a monolith,
    gRPC clients over ``control_channel`` elsewhere (``user_client`` builds the user service's,
    which a region puts behind its cache). Nothing is built until first used."""
    channel: list[grpc.Channel] = []

    def shared_channel() -> grpc.Channel:
        if control_channel is None:
            raise RuntimeError("no control silo address is configured")
        if not channel:
            channel.append(control_channel())
        return channel[0]

    def handle(
        interface: type[Service],
        local_factory: Callable[[], Service] | None,
        client: Callable[[grpc.Channel, float], Service],
    ) -> Delegator[Service]:
        return Delegator(
            interface,
            owner=SiloMode.CONTROL,
            mode=mode,
            local=local_factory,
            remote=lambda: client(shared_channel(), timeout),
        )

    return ControlServices(
        user=handle(UserService, local.user if local else None, user_client),
        user_option=handle(
            UserOptionService, local.user_option if local else None, UserOptionServiceClient
        ),
        auth=handle(AuthService, local.auth if local else None, AuthServiceClient),
        organization_mapping=handle(
            OrganizationMappingService,
            local.organization_mapping if local else None,
            OrganizationMappingServiceClient,
        ),
        member_mapping=handle(
            OrganizationMemberMappingService,
            local.member_mapping if local else None,
            OrganizationMemberMappingServiceClient,
        ),
        provisioning=handle(
            OrganizationProvisioningService,
            local.provisioning if local else None,
            OrganizationProvisioningServiceClient,
        ),
    )
