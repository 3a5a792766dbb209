"""Rotating the shared secret without a failed call: add the new secret as verify-only
everywhere, then sign with it everywhere, then drop the old one; each silo restarted in turn."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue

from control_silo.bootstrap import build_control_silo
from shared.config import ConfigError, Settings, load_settings
from shared.errors import Unauthenticated
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer, create_server
from shared.services.registry import remote
from shared.services.user.service import UserService

OLD, NEW = "old-rotation-secret", "new-rotation-secret"
ECHO = "/silo.test.v1.RotationTestService/Echo"

# What each silo's environment holds at each step of the documented rotation.
STEPS: list[dict[str, str]] = [
    {"SILO_RPC_SHARED_SECRETS": OLD},
    {"SILO_RPC_SHARED_SECRETS": OLD, "SILO_RPC_VERIFY_SECRETS": NEW},
    {"SILO_RPC_SHARED_SECRETS": f"{NEW},{OLD}"},
    {"SILO_RPC_SHARED_SECRETS": NEW},
]


class Echo(grpc.GenericRpcHandler):
    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        if details.method != ECHO:
            return None
        return grpc.unary_unary_rpc_method_handler(
            lambda request, _context: request,
            request_deserializer=StringValue.FromString,
            response_serializer=StringValue.SerializeToString,
        )


class Silo:
    """A silo's server and its client to the other silo, both from its settings."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.settings = load_settings(environ=environment)

        def register(server: grpc.Server) -> list[str]:
            server.add_generic_rpc_handlers((Echo(),))
            return ["silo.test.v1.RotationTestService"]

        self.server: RunningServer = create_server(
            "127.0.0.1:0", [register], secrets=self.settings.accepted_secrets
        )

    def call(self, other: Silo) -> grpc.StatusCode:
        address = f"127.0.0.1:{other.server.port}"
        with open_channel(address, secret=self.settings.signing_secret) as channel:
            echo = channel.unary_unary(
                ECHO,
                request_serializer=StringValue.SerializeToString,
                response_deserializer=StringValue.FromString,
            )
            try:
                echo(StringValue(value="ping"))
            except grpc.RpcError as error:
                return error.code()
            return grpc.StatusCode.OK


def test_the_three_step_rotation_fails_no_call() -> None:
    silos = {"control": Silo(STEPS[0]), "region": Silo(STEPS[0])}
    outcomes: list[tuple[int, str, grpc.StatusCode, grpc.StatusCode]] = []
    try:
        for step, environment in enumerate(STEPS[1:], start=1):
            for name in ("control", "region"):
                silos[name].server.stop(0)
                silos[name] = Silo(environment)
                there = silos["control"].call(silos["region"])
                back = silos["region"].call(silos["control"])
                outcomes.append((step, name, there, back))
    finally:
        for silo in silos.values():
            silo.server.stop(0)
    failed = [o for o in outcomes if o[2:] != (grpc.StatusCode.OK, grpc.StatusCode.OK)]
    assert failed == [], outcomes
    # After the last step the old secret is refused.
    assert silos["control"].settings.accepted_secrets == (NEW,)


def test_skipping_the_verify_only_step_fails_calls() -> None:
    # Restarting one silo straight to NEW,OLD while the other still knows only OLD: the one
    # restarted signs with NEW and the other refuses it.
    first, second = Silo(STEPS[2]), Silo(STEPS[0])
    try:
        assert first.call(second) == grpc.StatusCode.UNAUTHENTICATED
    finally:
        first.server.stop(0)
        second.server.stop(0)


def test_verify_only_secrets_need_a_signing_secret() -> None:
    with pytest.raises(ConfigError, match="SILO_RPC_VERIFY_SECRETS"):
        load_settings(environ={"SILO_RPC_VERIFY_SECRETS": NEW})


def test_a_silo_accepts_calls_signed_with_its_verify_only_secret(
    control_settings: Settings,
) -> None:
    settings = replace(control_settings, rpc_shared_secrets=(OLD,), rpc_verify_secrets=(NEW,))
    control = build_control_silo(settings)
    running = control.start_server("127.0.0.1:0")
    try:
        for secret, expected in [(OLD, True), (NEW, True), ("stranger", False)]:
            users = remote(UserService, open_channel(f"127.0.0.1:{running.port}", secret=secret))
            try:
                users.get_first_superuser()
                accepted = True
            except Unauthenticated:
                accepted = False
            assert accepted is expected, secret
    finally:
        running.stop(0)
        control.close()
