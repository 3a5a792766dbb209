"""TLS with certificates made for the test: servers present theirs, clients verify them against
the CA; with a CA configured, a server requires client certificates it signed (mutual TLS); the
silos call each other over it; `silo serve` takes the files as flags and warns when it listens
beyond loopback without TLS."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import select

from control_silo.bootstrap import build_control_silo
from control_silo.db.models import OrganizationMappingRow
from region_silo.bootstrap import build_region_silo
from region_silo.db.models import OrganizationSlugReservationReplicaRow
from region_silo.migrations import REGION_MIGRATIONS
from shared.config import Settings, load_settings
from shared.errors import NotFound
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer, create_server
from shared.rpc.tls import NO_TLS, TlsFiles
from shared.services.organization.service import OrganizationService
from shared.services.registry import remote
from shared.services.user.model import NewUser
from shared.services.user.service import UserService
from shared.silo_mode import SiloMode
from tests.databases import scratch_database
from tests.integration.certificates import Pki, make_pki
from tests.integration.processes import free_port, silo_command

SECRET = "tls-test-secret"
ECHO = "/silo.test.v1.TlsTestService/Echo"


class Echo(grpc.GenericRpcHandler):
    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        if details.method != ECHO:
            return None
        return grpc.unary_unary_rpc_method_handler(
            lambda request, _context: request,
            request_deserializer=StringValue.FromString,
            response_serializer=StringValue.SerializeToString,
        )


def register(server: grpc.Server) -> list[str]:
    server.add_generic_rpc_handlers((Echo(),))
    return ["silo.test.v1.TlsTestService"]


def echo(port: int, tls: TlsFiles) -> grpc.StatusCode:
    with open_channel(f"127.0.0.1:{port}", secret=SECRET, tls=tls, timeout=3) as channel:
        call = channel.unary_unary(
            ECHO,
            request_serializer=StringValue.SerializeToString,
            response_deserializer=StringValue.FromString,
        )
        try:
            assert call(StringValue(value="over tls")).value == "over tls"
        except grpc.RpcError as error:
            assert isinstance(error, grpc.Call)
            return error.code()
        return grpc.StatusCode.OK


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return make_pki(tmp_path)


@pytest.fixture
def tls_server(pki: Pki) -> Iterator[RunningServer]:
    server_only = TlsFiles(cert=pki.server.cert, key=pki.server.key)
    running = create_server("127.0.0.1:0", [register], secrets=(SECRET,), tls=server_only)
    yield running
    running.stop(0)


@pytest.fixture
def mtls_server(pki: Pki) -> Iterator[RunningServer]:
    running = create_server("127.0.0.1:0", [register], secrets=(SECRET,), tls=pki.server)
    yield running
    running.stop(0)


def test_a_tls_server_serves_clients_that_trust_its_ca_only(
    pki: Pki, tls_server: RunningServer
) -> None:
    assert echo(tls_server.port, TlsFiles(ca=pki.ca)) == grpc.StatusCode.OK
    assert echo(tls_server.port, NO_TLS) == grpc.StatusCode.UNAVAILABLE
    # A client that trusts another CA does not accept the server's certificate.
    other_ca = pki.stranger.cert
    assert echo(tls_server.port, TlsFiles(ca=other_ca)) == grpc.StatusCode.UNAVAILABLE


def test_mutual_tls_requires_a_client_certificate_the_ca_signed(
    pki: Pki, mtls_server: RunningServer
) -> None:
    assert echo(mtls_server.port, pki.client) == grpc.StatusCode.OK
    assert echo(mtls_server.port, TlsFiles(ca=pki.ca)) == grpc.StatusCode.UNAVAILABLE
    assert echo(mtls_server.port, pki.stranger) == grpc.StatusCode.UNAVAILABLE
    assert echo(mtls_server.port, NO_TLS) == grpc.StatusCode.UNAVAILABLE


def test_settings_read_the_tls_files_and_refuse_half_a_pair(pki: Pki) -> None:
    settings = load_settings(
        environ={
            "SILO_TLS_CERT": str(pki.server.cert),
            "SILO_TLS_KEY": str(pki.server.key),
            "SILO_TLS_CA": str(pki.ca),
        }
    )
    assert settings.tls == pki.server
    with pytest.raises(ValueError, match="SILO_TLS_KEY"):
        load_settings(environ={"SILO_TLS_CERT": str(pki.server.cert)})


def test_the_silos_call_each_other_over_mutual_tls(
    tmp_path: Path, pki: Pki, control_settings: Settings
) -> None:
    with scratch_database(tmp_path, "tls_region") as region_url:
        REGION_MIGRATIONS.upgrade(region_url)
        region_port, control_port = free_port(), free_port()
        control = build_control_silo(
            replace(
                control_settings,
                rpc_shared_secrets=(SECRET,),
                regions={"us": f"127.0.0.1:{region_port}"},
                tls_cert=pki.server.cert,
                tls_key=pki.server.key,
                tls_ca=pki.ca,
            )
        )
        region = build_region_silo(
            Settings(
                mode=SiloMode.REGION,
                region_name="us",
                database_url=region_url,
                control_address=f"127.0.0.1:{control_port}",
                rpc_shared_secrets=(SECRET,),
                tls_cert=pki.client.cert,
                tls_key=pki.client.key,
                tls_ca=pki.ca,
            )
        )
        servers = [
            control.start_server(f"127.0.0.1:{control_port}"),
            region.start_server(f"127.0.0.1:{region_port}"),
        ]
        try:
            owner = control.services.get(UserService).create_user(
                user=NewUser(username="tls-owner", email="tls@example.com")
            )
            organization = region.services.get(OrganizationService).create_organization(
                slug="over-tls", name="Over TLS", owner_user_id=owner.id
            )
            region.drainer.drain_due()
            control.drainer.drain_due()
            with control.sessions() as session:
                mapped = session.scalar(
                    select(OrganizationMappingRow.slug).where(
                        OrganizationMappingRow.organization_id == organization.id
                    )
                )
            with region.sessions() as session:
                replicated = session.scalar(
                    select(OrganizationSlugReservationReplicaRow.slug).where(
                        OrganizationSlugReservationReplicaRow.organization_id == organization.id
                    )
                )
        finally:
            for running in servers:
                running.stop(0)
            region.close()
            control.close()
    assert (mapped, replicated) == ("over-tls", "over-tls")


def serve(arguments: list[str], database_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SILO_")}
    env["SILO_RPC_SHARED_SECRETS"] = SECRET
    with log.open("wb") as output:
        return subprocess.Popen(
            silo_command("serve", "control", "--database-url", database_url, *arguments),
            stdout=output,
            stderr=output,
            env=env,
        )


def wait_for_line(process: subprocess.Popen[bytes], log: Path, text: str) -> None:
    deadline = time.monotonic() + 30
    while text not in log.read_text():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=30)


def test_silo_serve_takes_tls_flags_and_warns_without_tls_beyond_loopback(
    tmp_path: Path, pki: Pki, served_database_url: str
) -> None:
    port = free_port()
    flags = ["--tls-cert", str(pki.server.cert), "--tls-key", str(pki.server.key)]
    flags += ["--tls-ca", str(pki.ca)]
    with_tls = tmp_path / "with-tls.log"
    process = serve(["--listen", f"0.0.0.0:{port}", *flags], served_database_url, with_tls)
    try:
        wait_for_line(process, with_tls, "serving on")
        wait_serving_tls(port, pki.client, process)
        assert missing_user(port, pki.client)
        assert echo(port, TlsFiles(ca=pki.ca)) == grpc.StatusCode.UNAVAILABLE
    finally:
        stop(process)
    log = with_tls.read_text()
    assert "without TLS" not in log
    assert re.search(
        r"serving on 0\.0\.0\.0:\d+ \(signed, TLS, client certificates required\)", log
    )

    port = free_port()
    plain = tmp_path / "plain.log"
    process = serve(["--listen", f"0.0.0.0:{port}"], served_database_url, plain)
    try:
        wait_for_line(process, plain, "serving on")
    finally:
        stop(process)
    assert "without TLS" in plain.read_text()


def wait_serving_tls(port: int, tls: TlsFiles, process: subprocess.Popen[bytes]) -> None:
    credentials = tls.channel_credentials()
    assert credentials is not None
    deadline = time.monotonic() + 30
    with grpc.secure_channel(f"127.0.0.1:{port}", credentials) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            assert process.poll() is None, "the server exited"
            try:
                stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                return
            except grpc.RpcError:
                time.sleep(0.1)
    raise AssertionError("the server did not serve over TLS")


def missing_user(port: int, tls: TlsFiles) -> bool:
    """Whether a signed call over TLS reaches the user service (which has no user 999999)."""
    with open_channel(f"127.0.0.1:{port}", secret=SECRET, tls=tls) as channel:
        try:
            remote(UserService, channel).get_user(user_id=999_999)
        except NotFound:
            return True
    return False
