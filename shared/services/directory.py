"""The delegating handles of the control silo's services, as every process sees them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import grpc

from shared.delegation import Delegator
from shared.services.auth.client import AuthServiceClient
from shared.services.auth.service import AuthService
from shared.services.user.client import UserServiceClient
from shared.services.user.service import UserService
from shared.services.user_option.client import UserOptionServiceClient
from shared.services.user_option.service import UserOptionService
from shared.silo_mode import SiloMode


@dataclass(frozen=True)
class ControlLocalImplementations:
    """Factories of the database-backed implementations, given by the control silo."""

    user: Callable[[], UserService]
    user_option: Callable[[], UserOptionService]
    auth: Callable[[], AuthService]


@dataclass(frozen=True)
class ControlServices:
    """Delegating handles to the control silo's services; callers use them in any mode."""

    user: Delegator[UserService]
    user_option: Delegator[UserOptionService]
    auth: Delegator[AuthService]


def control_services(
    mode: SiloMode,
    *,
    local: ControlLocalImplementations | None = None,
    control_channel: Callable[[], grpc.Channel] | None = None,
    timeout: float = 5.0,
) -> ControlServices:
    """Builds the handles for ``mode``: local implementations in the control silo or a monolith,
    gRPC clients over ``control_channel`` elsewhere. Nothing is built until first used."""
    channel: list[grpc.Channel] = []

    def shared_channel() -> grpc.Channel:
        if control_channel is None:
            raise RuntimeError("no control silo address is configured")
        if not channel:
            channel.append(control_channel())
        return channel[0]

    return ControlServices(
        user=Delegator(
            UserService,
            owner=SiloMode.CONTROL,
            mode=mode,
            local=local.user if local else None,
            remote=lambda: UserServiceClient(shared_channel(), timeout),
        ),
        user_option=Delegator(
            UserOptionService,
            owner=SiloMode.CONTROL,
            mode=mode,
            local=local.user_option if local else None,
            remote=lambda: UserOptionServiceClient(shared_channel(), timeout),
        ),
        auth=Delegator(
            AuthService,
            owner=SiloMode.CONTROL,
            mode=mode,
            local=local.auth if local else None,
            remote=lambda: AuthServiceClient(shared_channel(), timeout),
        ),
    )
