"""`silo serve control` as an operator runs it: a separate process on a real port."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from control_silo.bootstrap import build_control_silo
from shared.config import Settings
from shared.db.unit_of_work import UnitOfWork
from shared.errors import DeadlineExceeded, Unauthenticated
from shared.generated.silo.user.v1 import user_pb2, user_pb2_grpc
from shared.rpc.channel import open_channel
from shared.services.registry import remote
from shared.services.user.model import NewUser
from shared.services.user.service import UserService
from tests.databases import scratch_database
from tests.integration.processes import control_process, run_silo

SECRET = "integration-secret"
GET_USER = "/silo.user.v1.UserService/GetUser"


def signed_metadata(secret: str, method: str, body: bytes, timestamp: int) -> list[tuple[str, str]]:
    """The three metadata entries, built from the documented wire format alone."""
    nonce = secrets.token_hex(16)
    signed = f"{method}:{timestamp}:{nonce}:".encode() + body
    mac = hmac.new(secret.encode(), signed, hashlib.sha256)
    return [
        ("x-silo-timestamp", str(timestamp)),
        ("x-silo-nonce", nonce),
        ("authorization", f"Rpcsignature rpc1:{mac.hexdigest()}"),
    ]


def raw_get_user(address: str, metadata: list[tuple[str, str]] | None) -> grpc.StatusCode:
    request = user_pb2.GetUserRequest(user_id=1)
    with grpc.insecure_channel(address) as channel:
        stub = user_pb2_grpc.UserServiceStub(channel)
        try:
            stub.GetUser(request, metadata=metadata, timeout=5)
        except grpc.RpcError as error:
            return error.code()
    return grpc.StatusCode.OK


def test_health_and_reflection(served_database_url: str, log_dir: Path) -> None:
    with (
        control_process(served_database_url, log_dir, SECRET) as server,
        grpc.insecure_channel(server.address) as channel,
    ):
        health = health_pb2_grpc.HealthStub(channel)
        for service in ["", "silo.user.v1.UserService", "silo.auth.v1.AuthService"]:
            answer = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
        reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
        responses = reflection.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5
        )
        names = {s.name for r in responses for s in r.list_services_response.service}
        assert {
            "silo.user.v1.UserService",
            "silo.user.v1.UserOptionService",
            "silo.auth.v1.AuthService",
            "grpc.health.v1.Health",
        } <= names


def test_signatures_on_the_wire(served_database_url: str, log_dir: Path) -> None:
    body = user_pb2.GetUserRequest(user_id=1).SerializeToString()
    now = int(time.time())
    with control_process(served_database_url, log_dir, f"new-secret,{SECRET}") as server:
        address = server.address
        assert raw_get_user(address, signed_metadata(SECRET, GET_USER, body, now)) == (
            grpc.StatusCode.NOT_FOUND  # accepted (the old secret still works); no user 1
        )
        assert raw_get_user(address, signed_metadata("new-secret", GET_USER, body, now)) == (
            grpc.StatusCode.NOT_FOUND
        )
        rejected = [
            None,
            signed_metadata("not-the-secret", GET_USER, body, now),
            signed_metadata(SECRET, GET_USER, body, now - 400),
            signed_metadata(SECRET, GET_USER, body, now + 400),
            signed_metadata(SECRET, "/silo.user.v1.UserService/CreateUser", body, now),
            signed_metadata(SECRET, GET_USER, b"\x08\x02", now),
        ]
        for metadata in rejected:
            assert raw_get_user(address, metadata) == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(Unauthenticated):
            remote(UserService, open_channel(address, secret="wrong")).get_user(user_id=1)


def test_one_log_line_per_rpc_and_no_plaintext_password(
    served_database_url: str, log_dir: Path
) -> None:
    password = "plaintext-Never-Logged-42"
    with control_process(served_database_url, log_dir, SECRET) as server:
        client = remote(UserService, open_channel(server.address, secret=SECRET))
        user = client.create_user(
            user=NewUser(username="logged", email="logged@example.com", password=password)
        )
        client.get_user(user_id=user.id)
        assert raw_get_user(server.address, None) == grpc.StatusCode.UNAUTHENTICATED
        assert server.terminate() == 0
        log = server.log()
    lines = [
        json.loads(line.split(" silo.rpc ", 1)[1])
        for line in log.splitlines()
        if " silo.rpc " in line
    ]
    assert any(line["method"] == "/grpc.health.v1.Health/Check" for line in lines)
    lines = [line for line in lines if line["method"].startswith("/silo.")]
    assert [(line["method"], line["code"]) for line in lines] == [
        ("/silo.user.v1.UserService/CreateUser", "OK"),
        ("/silo.user.v1.UserService/GetUser", "OK"),
        (GET_USER, "UNAUTHENTICATED"),
    ]
    assert all(line["duration_ms"] >= 0 and len(line["request_id"]) == 32 for line in lines)
    assert password not in log
    if served_database_url.startswith("sqlite"):
        database_file = Path(served_database_url.removeprefix("sqlite:///"))
        stored = b"".join(
            p.read_bytes() for p in database_file.parent.glob(database_file.name + "*")
        )
        assert password.encode() not in stored


def test_sigterm_lets_in_flight_calls_finish(served_database_url: str, log_dir: Path) -> None:
    settings = Settings(database_url=served_database_url)
    holder = build_control_silo(settings)
    with control_process(served_database_url, log_dir, SECRET) as server:
        client = remote(UserService, open_channel(server.address, secret=SECRET), timeout=20)
        outcome: list[object] = []
        # Holding the same lock the server's GetOrCreateByEmail takes keeps that call in flight.
        with UnitOfWork(holder.sessions, lock="user-email:inflight@example.com"):
            caller = threading.Thread(
                target=lambda: outcome.append(
                    client.get_or_create_by_email(email="inflight@example.com")
                )
            )
            caller.start()
            time.sleep(0.5)
            server.process.send_signal(15)
            time.sleep(0.5)
            assert server.process.poll() is None, "server stopped before the call finished"
        caller.join(timeout=20)
        assert server.process.wait(timeout=20) == 0
        assert len(outcome) == 1 and getattr(outcome[0], "created", False)
        assert "received SIGTERM" in server.log()
    holder.close()


def test_client_deadline(served_database_url: str, log_dir: Path) -> None:
    holder = build_control_silo(Settings(database_url=served_database_url))
    with control_process(served_database_url, log_dir, SECRET) as server:
        client = remote(UserService, open_channel(server.address, secret=SECRET), timeout=0.3)
        with UnitOfWork(holder.sessions, lock="user-email:slow@example.com"):
            started = time.monotonic()
            with pytest.raises(DeadlineExceeded):
                client.get_or_create_by_email(email="slow@example.com")
            assert time.monotonic() - started < 3
    holder.close()


def test_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    with scratch_database(tmp_path, "empty") as url:
        result = run_silo("serve", "control", "--database-url", url, "--listen", "127.0.0.1:0")
    assert result.returncode == 2
    assert "silo upgrade --silo control" in result.stderr


def test_refuses_a_public_address_without_a_secret(served_database_url: str) -> None:
    result = run_silo(
        "serve",
        "control",
        "--database-url",
        served_database_url,
        "--listen",
        "0.0.0.0:0",
        env={"SILO_RPC_SHARED_SECRETS": ""},
    )
    assert result.returncode == 2
    assert "SILO_RPC_SHARED_SECRETS" in result.stderr
