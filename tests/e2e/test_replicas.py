"""Two control silo replicas (separate `silo serve control` processes on their own ports) on one
PostgreSQL database and one Redis, with regions `us` and `de`: outbox messages are delivered once
across replicas, user reads are exact on either replica right after a write on the other, a call
one replica accepted is refused by the other, and a client balancing over both sees no error
while one replica stops and starts again."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest

from shared.generated.silo.user.v1 import user_pb2
from shared.rpc import signing
from shared.services.registry import remote
from shared.services.user.model import NewUser, UserUpdate
from shared.services.user.service import UserService
from tests.databases import scratch_database, server_url
from tests.e2e.conftest import wait_until
from tests.integration.processes import free_port, run_silo
from tests.integration.workers import (
    GET_USER,
    Served,
    delivered,
    invalidations_received,
    outbox_rows,
    own_connection,
    redis_test_url,
    serve,
    served_calls,
    write_cache_invalidations,
)

SECRET = "replicas-secret"
REDIS_DATABASE = 13  # this module's own Redis database
REGIONS = ("us", "de")
RETRY_ON_UNAVAILABLE = {
    "name": [{}],
    "retryPolicy": {
        "maxAttempts": 4,
        "initialBackoff": "0.05s",
        "maxBackoff": "1s",
        "backoffMultiplier": 2,
        "retryableStatusCodes": ["UNAVAILABLE"],
    },
}
# Round robin over the replicas that answer their health check SERVING (a stopping replica
# reports NOT_SERVING while it drains), unary calls retried on UNAVAILABLE.
BALANCED = {
    "loadBalancingConfig": [{"round_robin": {}}],
    "healthCheckConfig": {"serviceName": ""},
    "methodConfig": [RETRY_ON_UNAVAILABLE],
}
DRAIN_SECONDS = "2"

pytestmark = pytest.mark.skipif(
    server_url() is None,
    reason="replicas share one database server: PostgreSQL only (set SILO_TEST_DATABASE_URL); "
    "an SQLite file belongs to one machine",
)


@dataclass
class Replicas:
    """Two control replicas, regions `us` and `de`, and how to restart a replica."""

    work: Path
    control_url: str
    redis_url: str
    region_urls: dict[str, str]
    control_listen: list[str]
    region_addresses: dict[str, str]
    controls: list[Served | None] = field(default_factory=lambda: [None, None])
    regions: dict[str, Served] = field(default_factory=dict)
    stacks: list[ExitStack] = field(default_factory=lambda: [ExitStack(), ExitStack()])

    @property
    def target(self) -> str:
        """Both replicas, as one gRPC target."""
        return "ipv4:" + ",".join(self.control_listen)

    def start_control(self, index: int) -> Served:
        directory = [
            argument
            for name, address in self.region_addresses.items()
            for argument in ("--region", f"{name}={address}")
        ]
        arguments = [
            "control",
            "--database-url",
            self.control_url,
            "--listen",
            self.control_listen[index],
            "--metrics-listen",
            "127.0.0.1:0",
            "--drain-seconds",
            DRAIN_SECONDS,
            *directory,
        ]
        environment = {"SILO_RPC_SHARED_SECRETS": SECRET, "SILO_CACHE_REDIS_URL": self.redis_url}
        self.stacks[index] = ExitStack()
        self.controls[index] = self.stacks[index].enter_context(
            serve(arguments, self.work, environment)
        )
        return self.controls[index]  # type: ignore[return-value]

    def stop_control(self, index: int) -> None:
        self.stacks[index].close()
        self.controls[index] = None

    def control(self, index: int) -> Served:
        served = self.controls[index]
        assert served is not None
        return served

    def users(self, index: int) -> UserService:
        return remote(UserService, own_connection(self.control_listen[index], SECRET))

    def balanced_users(self) -> UserService:
        return remote(UserService, own_connection(self.target, SECRET, service_config=BALANCED))


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    redis_url = redis_test_url(REDIS_DATABASE)
    if redis_url is None:
        pytest.skip("no Redis answers (SILO_TEST_REDIS_URL): replicas share the replay guard there")
    work = tmp_path_factory.mktemp("replicas")
    with ExitStack() as stack:
        control_url = stack.enter_context(scratch_database(work, "replicas_control"))
        region_urls = {
            name: stack.enter_context(scratch_database(work, f"replicas_{name}"))
            for name in REGIONS
        }
        for silo, url, extra in [("control", control_url, [])] + [
            ("region", url, ["--name", name]) for name, url in region_urls.items()
        ]:
            result = run_silo("upgrade", "--silo", silo, "--database-url", url, *extra)
            assert result.returncode == 0, result.stderr
        replicas = Replicas(
            work=work,
            control_url=control_url,
            redis_url=redis_url,
            region_urls=region_urls,
            control_listen=[f"127.0.0.1:{free_port()}" for _ in range(2)],
            region_addresses={name: f"127.0.0.1:{free_port()}" for name in REGIONS},
        )
        for name, url in region_urls.items():
            replicas.regions[name] = stack.enter_context(
                serve(
                    [
                        "region",
                        "--name",
                        name,
                        "--database-url",
                        url,
                        "--control",
                        replicas.target,
                        "--listen",
                        replicas.region_addresses[name],
                        "--metrics-listen",
                        "127.0.0.1:0",
                    ],
                    work,
                    {"SILO_RPC_SHARED_SECRETS": SECRET},
                )
            )
        try:
            replicas.start_control(0)
            replicas.start_control(1)
            yield replicas
        finally:
            for index in (0, 1):
                replicas.stop_control(index)


def test_outbox_messages_are_delivered_once_across_replicas(replicas: Replicas) -> None:
    before = sum(delivered(replicas.control(index).metrics()) for index in (0, 1))
    messages = range(700_000, 700_300)
    for region in REGIONS:
        write_cache_invalidations(replicas.control_url, region, messages)
    wait_until(lambda: outbox_rows(replicas.control_url) == 0, timeout=60)
    time.sleep(2.5)  # more sweeps of both replicas: nothing may arrive twice
    for region in REGIONS:
        received = invalidations_received(replicas.region_urls[region], messages)
        assert received == dict.fromkeys(messages, 1)
    after = [delivered(replicas.control(index).metrics()) for index in (0, 1)]
    assert sum(after) - before == 2 * len(messages)


def test_a_write_on_one_replica_is_read_at_once_on_the_other(replicas: Replicas) -> None:
    first, second = replicas.users(0), replicas.users(1)
    name = f"r{uuid.uuid4().hex[:8]}"
    user = first.create_user(user=NewUser(username=name, email=f"{name}@example.com"))
    for round_number in range(20):
        writer, reader = (first, second) if round_number % 2 == 0 else (second, first)
        assert reader.get_user(user_id=user.id).id == user.id  # the reader's cache holds it
        writer.update_user(user_id=user.id, update=UserUpdate(name=f"name {round_number}"))
        assert reader.get_user(user_id=user.id).name == f"name {round_number}"
        assert reader.get_many_by_id(user_ids=[user.id])[0].name == f"name {round_number}"


def test_a_call_one_replica_took_is_refused_by_the_other(replicas: Replicas) -> None:
    name = f"r{uuid.uuid4().hex[:8]}"
    user = replicas.users(0).create_user(user=NewUser(username=name, email=f"{name}@example.com"))
    body = user_pb2.GetUserRequest(user_id=user.id).SerializeToString()
    timestamp, nonce = str(int(time.time())), signing.new_nonce()
    captured = (
        (signing.TIMESTAMP_METADATA_KEY, timestamp),
        (signing.NONCE_METADATA_KEY, nonce),
        (
            signing.AUTHORIZATION_METADATA_KEY,
            signing.authorization_header(SECRET, GET_USER, timestamp, nonce, body),
        ),
    )
    outcomes = []
    for address in replicas.control_listen:
        with grpc.insecure_channel(address) as channel:
            raw: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(GET_USER)
            try:
                raw(body, metadata=captured, timeout=5)
                outcomes.append(grpc.StatusCode.OK)
            except grpc.RpcError as error:
                outcomes.append(error.code())
    assert outcomes == [grpc.StatusCode.OK, grpc.StatusCode.UNAUTHENTICATED]


def test_no_client_error_while_a_replica_stops_and_starts(replicas: Replicas) -> None:
    users = replicas.balanced_users()
    name = f"r{uuid.uuid4().hex[:8]}"
    user = users.create_user(user=NewUser(username=name, email=f"{name}@example.com"))
    stopping = threading.Event()
    errors: list[BaseException] = []
    calls = [0]
    lock = threading.Lock()

    def steady(worker: int) -> None:
        count = 0
        while not stopping.is_set():
            try:
                if count % 10 == 0:
                    users.update_user(user_id=user.id, update=UserUpdate(name=f"{worker}-{count}"))
                assert users.get_user(user_id=user.id).id == user.id
            except BaseException as error:
                errors.append(error)
            count += 1
            with lock:
                calls[0] += 1
            time.sleep(0.005)

    threads = [threading.Thread(target=steady, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: calls[0] >= 100, timeout=30)
        before_restart = served_calls(replicas.control(1).metrics(), GET_USER)
        assert before_restart > 0, "the balanced client never reached the second replica"
        replicas.stop_control(1)
        during = calls[0]
        wait_until(lambda: calls[0] >= during + 100, timeout=30)  # the first replica serves alone
        restarted = replicas.start_control(1)
        wait_until(lambda: served_calls(restarted.metrics(), GET_USER) >= 20, timeout=30)
    finally:
        stopping.set()
        for thread in threads:
            thread.join(30)
    assert errors == []
