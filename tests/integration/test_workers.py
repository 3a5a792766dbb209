"""`silo serve control --workers 2`: two processes answer on one port, exactly one drains the
outbox, a follower's commits reach the leader, a dead worker is replaced, SIGTERM stops all."""

from __future__ import annotations

import os
import re
import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from region_silo.db.models import RegionOutboxRow
from shared.outbox.model import ShardKey
from shared.services.organization.service import OrganizationService
from shared.services.registry import remote
from shared.services.user.model import NewUser
from shared.services.user.service import UserService
from shared.workers import WorkerRole, forward_commits, receive_commits
from tests.databases import scratch_database
from tests.e2e.conftest import wait_until
from tests.integration.processes import free_port, region_process, run_silo
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

SECRET = "workers-secret"
CREATE_ORGANIZATION = "/silo.organization.v1.OrganizationService/CreateOrganization"
REDIS_DATABASE = 12  # this module's own Redis database
WORKER_LINE = re.compile(r"worker (\d) \(pid (\d+)[^)]*\) serves(?: \(metrics port (\d+)\))?")


@dataclass
class Workers:
    control: Served
    control_url: str
    region_url: str

    def current(self) -> dict[int, tuple[int, str]]:
        """Each worker's newest pid and metrics address, from the supervisor's log."""
        latest: dict[int, tuple[int, str]] = {}
        for index, pid, port in WORKER_LINE.findall(self.control.log()):
            latest[int(index)] = (int(pid), f"127.0.0.1:{port}")
        return latest

    def worker_metrics(self, index: int) -> str:
        import urllib.request  # noqa: PLC0415

        address = self.current()[index][1]
        with urllib.request.urlopen(f"http://{address}/metrics") as reply:
            return str(reply.read().decode())


def _redis_or_skip() -> str:
    """The Redis URL the workers share their replay guard through; skips the test without one."""
    redis_url = redis_test_url(REDIS_DATABASE)
    if redis_url is None:
        pytest.skip("no Redis answers (SILO_TEST_REDIS_URL): workers share the replay guard there")
    return redis_url


def _migrated_silos(stack: ExitStack, work: Path, prefix: str) -> tuple[str, str]:
    """A control and a region ("us") database, each migrated, dropped when ``stack`` closes."""
    control_url = stack.enter_context(scratch_database(work, f"{prefix}_control"))
    region_url = stack.enter_context(scratch_database(work, f"{prefix}_us"))
    for silo, url, extra in [
        ("control", control_url, []),
        ("region", region_url, ["--name", "us"]),
    ]:
        result = run_silo("upgrade", "--silo", silo, "--database-url", url, *extra)
        assert result.returncode == 0, result.stderr
    return control_url, region_url


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    redis_url = _redis_or_skip()
    work = tmp_path_factory.mktemp("workers")
    with ExitStack() as stack:
        control_url, region_url = _migrated_silos(stack, work, "workers")
        region_address = f"127.0.0.1:{free_port()}"
        control_address = f"127.0.0.1:{free_port()}"
        stack.enter_context(
            region_process("us", region_url, control_address, work, SECRET, listen=region_address)
        )
        control = stack.enter_context(
            serve(
                [
                    "control",
                    "--workers",
                    "2",
                    "--database-url",
                    control_url,
                    "--listen",
                    control_address,
                    "--metrics-listen",
                    "127.0.0.1:0",
                    "--region",
                    f"us={region_address}",
                ],
                work,
                {"SILO_RPC_SHARED_SECRETS": SECRET, "SILO_CACHE_REDIS_URL": redis_url},
            )
        )
        yield Workers(control, control_url, region_url)


def users(address: str) -> UserService:
    return remote(UserService, own_connection(address, SECRET))


def test_both_workers_answer_on_one_port(workers: Workers) -> None:
    assert len(set(workers.control.worker_pids)) == 2
    name = f"w{uuid.uuid4().hex[:8]}"
    user = users(workers.control.address).create_user(
        user=NewUser(username=name, email=f"{name}@example.com")
    )
    before = [served_calls(workers.worker_metrics(index), GET_USER) for index in (0, 1)]
    made = 0
    answered = [0.0, 0.0]
    for _ in range(16):  # the kernel hashes each new connection to one of the workers
        for _ in range(8):
            client = users(workers.control.address)
            for _ in range(3):
                assert client.get_user(user_id=user.id).username == name
                made += 1
        answered = [
            served_calls(workers.worker_metrics(index), GET_USER) - before[index]
            for index in (0, 1)
        ]
        if all(answered):
            break
    assert all(answered), f"one worker answered every call: {answered}"
    assert sum(answered) == made


def test_exactly_one_worker_drains_the_outbox(workers: Workers) -> None:
    before = [delivered(workers.worker_metrics(index)) for index in (0, 1)]
    messages = range(900_000, 900_300)
    write_cache_invalidations(workers.control_url, "us", messages)
    wait_until(lambda: outbox_rows(workers.control_url) == 0, timeout=60)
    time.sleep(2.5)  # more sweeps of both workers: nothing may arrive twice
    assert invalidations_received(workers.region_url, messages) == dict.fromkeys(messages, 1)
    after = [delivered(workers.worker_metrics(index)) for index in (0, 1)]
    assert after[0] - before[0] == len(messages)
    assert after[1] == before[1] == 0
    assert len(re.findall(r"leads: it drains the outbox", workers.control.log())) == 1


def test_a_followers_commits_reach_the_leader() -> None:
    receiving, sending = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    scheduled: list[ShardKey] = []
    arrived = threading.Event()

    def schedule(shards: Iterable[ShardKey]) -> None:
        scheduled.extend(shards)
        if len(scheduled) >= 450:
            arrived.set()

    def role(index: int, end: socket.socket) -> WorkerRole:
        return WorkerRole(index, 2, "127.0.0.1:1", None, os.getpid(), -1, os.dup(end.fileno()))

    receive_commits(role(0, receiving), schedule)
    forward = forward_commits(role(1, sending))
    shards = [ShardKey("us", 1, identifier) for identifier in range(450)]  # three datagrams
    forward(shards)
    assert arrived.wait(10)
    assert scheduled == shards
    receiving.close()
    sending.close()


def test_a_dead_worker_is_replaced_and_a_new_leader_drains(workers: Workers) -> None:
    first = workers.current()
    os.kill(first[1][0], signal.SIGKILL)
    wait_until(lambda: workers.current()[1][0] != first[1][0], timeout=90)
    os.kill(first[0][0], signal.SIGKILL)
    wait_until(lambda: workers.current()[0][0] != first[0][0], timeout=90)
    assert "exited with status -9; restarting it" in workers.control.log()
    name = f"w{uuid.uuid4().hex[:8]}"
    user = users(workers.control.address).create_user(
        user=NewUser(username=name, email=f"{name}@example.com")
    )
    for _ in range(16):
        assert users(workers.control.address).get_user(user_id=user.id).username == name
    messages = range(910_000, 910_050)
    write_cache_invalidations(workers.control_url, "us", messages)
    wait_until(lambda: outbox_rows(workers.control_url) == 0, timeout=60)
    assert invalidations_received(workers.region_url, messages) == dict.fromkeys(messages, 1)
    assert delivered(workers.worker_metrics(0)) == 50
    assert len(re.findall(r"leads: it drains the outbox", workers.control.log())) == 2


def test_sigterm_stops_every_worker(workers: Workers) -> None:
    pids = [pid for pid, _ in workers.current().values()]
    assert workers.control.terminate() == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert workers.control.log().count("server stopped") >= 2


def test_signed_workers_without_redis_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'control.sqlite3'}"
    result = run_silo(
        "serve", "control", "--workers", "2", "--database-url", url, "--listen", "127.0.0.1:0",
        env={"SILO_RPC_SHARED_SECRETS": SECRET, "SILO_CACHE_REDIS_URL": ""},
    )  # fmt: skip
    assert result.returncode == 2
    assert "--workers above 1 needs SILO_CACHE_REDIS_URL" in result.stderr


def test_a_region_with_two_workers_delivers_every_workers_writes_from_the_leader(
    tmp_path: Path,
) -> None:
    redis_url = _redis_or_skip()
    with ExitStack() as stack:
        control_url, region_url = _migrated_silos(stack, tmp_path, "workers_region")
        region_address = f"127.0.0.1:{free_port()}"
        control = stack.enter_context(
            serve(
                ["control", "--database-url", control_url, "--listen", "127.0.0.1:0",
                 "--region", f"us={region_address}"],
                tmp_path,
                {"SILO_RPC_SHARED_SECRETS": SECRET},
            )
        )  # fmt: skip
        region = stack.enter_context(
            serve(
                ["region", "--workers", "2", "--name", "us", "--database-url", region_url,
                 "--control", control.address, "--listen", region_address,
                 "--metrics-listen", "127.0.0.1:0"],
                tmp_path,
                {"SILO_RPC_SHARED_SECRETS": SECRET, "SILO_CACHE_REDIS_URL": redis_url},
            )
        )  # fmt: skip
        owner = users(control.address).create_user(
            user=NewUser(username=f"o{uuid.uuid4().hex[:8]}", email="owner@example.com")
        )
        slugs: list[str] = []
        created = [0.0, 0.0]
        while not all(created) and len(slugs) < 64:
            organizations = remote(OrganizationService, own_connection(region.address, SECRET))
            slug = f"org-{len(slugs)}-{uuid.uuid4().hex[:6]}"
            organizations.create_organization(slug=slug, name=slug, owner_user_id=owner.id)
            slugs.append(slug)
            created = [served_calls(region.metrics(index), CREATE_ORGANIZATION) for index in (0, 1)]
        assert all(created), f"one worker took every call: {created}"
        wait_until(lambda: outbox_rows(region_url, RegionOutboxRow) == 0, timeout=60)
        control_users = users(control.address)
        known = {o.slug for o in control_users.get_organizations(user_id=owner.id)}
        assert known == set(slugs)
        assert delivered(region.metrics(0)) >= len(slugs)
        assert delivered(region.metrics(1)) == 0
        assert region.terminate() == 0
