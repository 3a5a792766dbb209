"""GetUser through `silo serve control` (SQLite, signed) against a bare grpcio server that
returns the same User message, both measured in this run."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import grpc

from shared.generated.silo.user.v1 import user_pb2, user_pb2_grpc
from shared.rpc.channel import open_channel
from shared.services.user.client import UserServiceClient
from shared.services.user.model import NewUser, UserUpdate
from shared.services.user.serial import user_to_pb
from tests.benchmarks.harness import Latency, sequential_latency, throughput
from tests.integration.processes import control_process, run_silo

SECRET = "benchmark-secret"
SEQUENTIAL_CALLS = 3000
CALLERS = 16
CALLS_PER_CALLER = 400


def _seed(client: UserServiceClient) -> int:
    user = client.create_user(
        user=NewUser(username="bench", email="bench@example.com", name="Bench Mark", password="pw")
    )
    client.update_user(user_id=user.id, update=UserUpdate(email="bench.work@example.com"))
    client.verify_user_email(user_id=user.id, email="bench@example.com")
    client.add_permission(user_id=user.id, permission="users.admin")
    return user.id


def _measure(call: object) -> tuple[Latency, float]:
    assert callable(call)
    latency = sequential_latency(call, calls=SEQUENTIAL_CALLS)
    rate = throughput(call, callers=CALLERS, calls_each=CALLS_PER_CALLER)
    return latency, rate


def run() -> None:
    """Prints p50/p99 latency and throughput for both servers, and their ratios."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        url = f"sqlite:///{work / 'control.sqlite3'}"
        upgraded = run_silo("upgrade", "--silo", "control", "--database-url", url)
        if upgraded.returncode != 0:
            raise SystemExit(upgraded.stderr)
        with control_process(url, work, SECRET) as server:
            client = UserServiceClient(open_channel(server.address, secret=SECRET))
            user_id = _seed(client)
            response = user_pb2.GetUserResponse(user=user_to_pb(client.get_user(user_id=user_id)))
            response_file = work / "response.bin"
            response_file.write_bytes(response.SerializeToString())
            silo_latency, silo_rate = _measure(lambda: client.get_user(user_id=user_id))

        bare = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.bare_server", str(response_file)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert bare.stdout is not None
            port = int(bare.stdout.readline())
            channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            stub = user_pb2_grpc.UserServiceStub(channel)
            request = user_pb2.GetUserRequest(user_id=user_id)
            assert stub.GetUser(request, timeout=5) == response
            bare_latency, bare_rate = _measure(lambda: stub.GetUser(request, timeout=5))
        finally:
            bare.terminate()
            bare.wait(timeout=10)

    print("GetUser: silo serve control (SQLite, signed, logged) vs bare grpcio, same response")
    print(f"  sequential {SEQUENTIAL_CALLS} calls      silo          bare grpcio   ratio")
    print(
        f"    p50 latency           {silo_latency.p50_us:8.0f} us   "
        f"{bare_latency.p50_us:8.0f} us   {silo_latency.p50_us / bare_latency.p50_us:5.2f}x"
    )
    print(
        f"    p99 latency           {silo_latency.p99_us:8.0f} us   "
        f"{bare_latency.p99_us:8.0f} us   {silo_latency.p99_us / bare_latency.p99_us:5.2f}x"
    )
    print(f"  {CALLERS} concurrent callers")
    print(
        f"    throughput            {silo_rate:8.0f} /s   {bare_rate:8.0f} /s   "
        f"{silo_rate / bare_rate:5.2f}x of bare"
    )
