"""`silo serve ... --workers N`: N processes serving one port, exactly one of them (the leader)
draining the outbox and running the silo's background work.

A supervisor process reserves the port (``SO_REUSEPORT``), starts N workers, each a fresh
`silo serve` process told its role through ``WORKER_VARIABLE``, and waits. Worker 0 is the
leader. The kernel spreads new connections among the workers. Followers never drain: after each
commit they pass the touched outbox shards to the leader over a datagram socket the supervisor
holds, so a follower's writes are delivered as promptly as the leader's (the leader's periodic
sweep covers any notice that is lost).

The supervisor restarts a worker that dies after it started serving (the leader too, which is
then the only drainer again); a worker that fails before it serves, on the first start, stops
every worker and the supervisor exits with its status. SIGTERM or SIGINT to the supervisor stops
every worker gracefully. Workers get SIGTERM when the supervisor dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.outbox.model import ShardKey

log = logging.getLogger("silo.workers")

WORKER_VARIABLE = "SILO_WORKER"
MAX_WORKERS = 64
# Seconds a worker may take from its start to serving before the supervisor gives up on it.
READY_TIMEOUT_SECONDS = 120.0
# Seconds a stopping worker gets before it is killed (its server's grace is 10 seconds), beyond
# any drain period it was given.
STOP_TIMEOUT_SECONDS = 25.0
# A worker that served at least this long before dying is restarted at once; one that keeps
# dying sooner waits twice as long each time, up to MAX_RESTART_DELAY_SECONDS.
STABLE_SECONDS = 30.0
MAX_RESTART_DELAY_SECONDS = 30.0
# Shards per notice datagram (a unit of work touching more sends several).
SHARDS_PER_NOTICE = 200
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class WorkerRole:
    """What the supervisor tells one worker: its index (0 leads), how many there are, the
    address every worker listens on, its own metrics address, and the inherited descriptors it
    reports readiness on and exchanges outbox notices over."""

    index: int
    count: int
    listen: str
    metrics_listen: str | None
    supervisor_pid: int
    ready_fd: int
    notice_fd: int

    @property
    def leader(self) -> bool:
        """Whether this worker drains the outbox and runs the background work."""
        return self.index == 0

    @classmethod
    def from_environment(cls) -> WorkerRole | None:
        """The role the supervisor gave this process, or None for a process of its own."""
        text = os.environ.get(WORKER_VARIABLE)
        if not text:
            return None
        return cls(**json.loads(text))

    def environment(self) -> str:
        """The value of ``WORKER_VARIABLE`` that gives a worker this role."""
        return json.dumps(asdict(self))


@dataclass(frozen=True)
class WorkerReady:
    """What a worker reports once it serves."""

    index: int
    pid: int
    port: int
    metrics_port: int | None
    announcement: str


# Inside a worker


def die_with_supervisor(role: WorkerRole) -> None:
    """Makes the kernel send this worker SIGTERM when its supervisor dies (Linux), and exits at
    once if the supervisor is already gone."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != role.supervisor_pid:
        sys.exit(1)


def report_ready(role: WorkerRole, ready: WorkerReady) -> None:
    """Tells the supervisor this worker serves."""
    with os.fdopen(role.ready_fd, "w") as pipe:
        pipe.write(json.dumps(asdict(ready)) + "\n")


def forward_commits(role: WorkerRole) -> Callable[[Iterable[ShardKey]], None]:
    """A follower's outbox listener: passes the shards of each commit to the leader. A notice
    that cannot be sent at once (no leader right now, its queue full) is dropped: the leader's
    sweep delivers those rows a moment later."""
    notices = socket.socket(fileno=role.notice_fd)

    def forward(shards: Iterable[ShardKey]) -> None:
        keys = [list(shard) for shard in shards]
        for start in range(0, len(keys), SHARDS_PER_NOTICE):
            datagram = json.dumps(keys[start : start + SHARDS_PER_NOTICE]).encode()
            try:
                notices.send(datagram, socket.MSG_DONTWAIT)
            except OSError:
                log.debug("outbox notice dropped; the leader's sweep delivers it")

    return forward


def receive_commits(role: WorkerRole, schedule: Callable[[Iterable[ShardKey]], None]) -> None:
    """The leader's side: a daemon thread that hands the followers' commits to ``schedule``."""
    from shared.outbox.model import ShardKey  # noqa: PLC0415 - the CLI imports this module

    notices = socket.socket(fileno=role.notice_fd)

    def receive() -> None:
        while True:
            try:
                datagram = notices.recv(1 << 20)
            except OSError:
                log.exception("outbox notices stopped; the sweep still delivers every row")
                return
            try:
                shards = [ShardKey(str(a), int(b), int(c)) for a, b, c in json.loads(datagram)]
            except (ValueError, TypeError):
                log.exception("unreadable outbox notice")
                continue
            schedule(shards)

    threading.Thread(target=receive, name="outbox-notices", daemon=True).start()


# The supervisor


def reserve_port(address: str) -> tuple[socket.socket, str]:
    """Binds (without listening) a ``SO_REUSEPORT`` socket to ``address``, choosing a free port
    for port 0, so every worker, restarted ones too, listens on the same port.
    Returns the socket and the address with its port. Raises ``OSError`` naming ``address`` when
    it cannot be listened on."""
    from shared.rpc.server import check_free  # noqa: PLC0415 - the CLI imports this module

    check_free(address)
    host, _, port = address.rpartition(":")
    bare_host = host.strip("[]") or "0.0.0.0"  # noqa: S104 - what gRPC binds for ":PORT"
    try:
        family, kind, protocol, _name, where = socket.getaddrinfo(
            bare_host, int(port), type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        reserved = socket.socket(family, kind, protocol)
        reserved.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        reserved.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        reserved.bind(where)
    except (OSError, ValueError) as error:
        raise OSError(f"cannot listen on {address}: {error}") from None
    return reserved, f"{host}:{reserved.getsockname()[1]}"


def worker_metrics_listen(metrics_listen: str | None, index: int) -> str | None:
    """Worker ``index``'s metrics address: the port after the previous worker's (port 0: any)."""
    if metrics_listen is None:
        return None
    host, _, port = metrics_listen.rpartition(":")
    return f"{host}:{int(port) + index}" if int(port) else metrics_listen


class _Worker:
    """One worker process as the supervisor tracks it."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.process: subprocess.Popen[bytes] | None = None
        self.ready: WorkerReady | None = None
        self.ready_reader: int | None = None
        self.started_at = 0.0
        self.restart_at: float | None = None
        self.restart_delay = 0.5

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def close_reader(self) -> None:
        if self.ready_reader is not None:
            os.close(self.ready_reader)
            self.ready_reader = None


class Supervisor:
    """Runs ``count`` workers of one `silo serve` command line until SIGTERM or SIGINT."""

    def __init__(
        self,
        count: int,
        *,
        command: Sequence[str],
        listen: str,
        metrics_listen: str | None,
        announce: Callable[[WorkerReady, list[WorkerReady]], Sequence[str]],
        echo: Callable[[str], None],
        stop_timeout: float = STOP_TIMEOUT_SECONDS,
    ) -> None:
        self._count = count
        self._command = list(command)
        self._requested_listen = listen
        self._metrics_listen = metrics_listen
        self._announce = announce
        self._echo = echo
        self._stop_timeout = stop_timeout
        self._workers = [_Worker(index) for index in range(count)]
        self._stopping = threading.Event()
        self._listen = listen
        self._notices: tuple[socket.socket, socket.socket] | None = None

    def run(self) -> int:
        """Starts the workers and supervises them; returns the exit status (0 after a requested
        stop). Raises ``OSError`` when the address cannot be listened on."""
        reserved, self._listen = reserve_port(self._requested_listen)
        self._notices = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        for end in self._notices:
            end.set_inheritable(True)
        previous = {
            signum: signal.signal(signum, self._request_stop)
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            return self._supervise()
        finally:
            self._stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            for end in self._notices:
                end.close()
            reserved.close()

    def _request_stop(self, signum: int, _frame: object) -> None:
        log.info("received %s, stopping %d workers", signal.Signals(signum).name, self._count)
        self._stopping.set()

    def _supervise(self) -> int:
        for worker in self._workers:
            self._start(worker)
        announced = False
        while not self._stopping.is_set():
            self._read_ready(timeout=0.2)
            now = time.monotonic()
            if not announced and all(worker.ready for worker in self._workers):
                announced = True
                readies = [worker.ready for worker in self._workers if worker.ready]
                for line in self._announce(readies[0], readies):
                    self._echo(line)
            for worker in self._workers:
                status = self._exit_status(worker)
                if status is not None and not announced:
                    log.error(
                        "worker %d exited with status %d while starting", worker.index, status
                    )
                    return status if status > 0 else 2
                if status is not None and worker.restart_at is None:
                    self._schedule_restart(worker, status, now)
                late = now - worker.started_at > READY_TIMEOUT_SECONDS
                if not announced and worker.ready is None and late:
                    log.error("worker %d did not start serving in time", worker.index)
                    return 2
                if worker.restart_at is not None and now >= worker.restart_at:
                    self._start(worker)
        return 0

    def _exit_status(self, worker: _Worker) -> int | None:
        if worker.process is None or worker.restart_at is not None:
            return None
        return worker.process.poll()

    def _schedule_restart(self, worker: _Worker, status: int, now: float) -> None:
        if now - worker.started_at >= STABLE_SECONDS:
            worker.restart_delay, delay = 0.5, 0.0
        else:
            worker.restart_delay = min(MAX_RESTART_DELAY_SECONDS, worker.restart_delay * 2)
            delay = worker.restart_delay
        worker.restart_at = now + delay
        role = "the leader" if worker.index == 0 else "a follower"
        log.warning(
            "worker %d (%s, pid %d) exited with status %d; restarting it in %.0fs",
            worker.index,
            role,
            worker.process.pid if worker.process else 0,
            status,
            delay,
        )

    def _start(self, worker: _Worker) -> None:
        assert self._notices is not None  # noqa: S101 - set in run()
        receiving, sending = self._notices
        notice = receiving if worker.index == 0 else sending
        worker.close_reader()
        reader, writer = os.pipe()
        role = WorkerRole(
            index=worker.index,
            count=self._count,
            listen=self._listen,
            metrics_listen=worker_metrics_listen(self._metrics_listen, worker.index),
            supervisor_pid=os.getpid(),
            ready_fd=writer,
            notice_fd=notice.fileno(),
        )
        environment = {**os.environ, WORKER_VARIABLE: role.environment()}
        try:
            worker.process = subprocess.Popen(  # noqa: S603 - this command's own argv
                self._command, env=environment, pass_fds=(writer, notice.fileno())
            )
        finally:
            os.close(writer)
        worker.ready_reader = reader
        worker.ready = None
        worker.started_at = time.monotonic()
        worker.restart_at = None

    def _read_ready(self, timeout: float) -> None:
        readers = {w.ready_reader: w for w in self._workers if w.ready_reader is not None}
        if not readers:
            self._stopping.wait(timeout)
            return
        try:
            readable, _, _ = select.select(list(readers), [], [], timeout)
        except InterruptedError:
            return
        for descriptor in readable:
            worker = readers[descriptor]
            text = os.read(descriptor, 65536).decode()
            worker.close_reader()
            with contextlib.suppress(ValueError, TypeError):
                worker.ready = WorkerReady(**json.loads(text))
                log.info(
                    "worker %d (pid %d%s) serves%s",
                    worker.index,
                    worker.ready.pid,
                    ", leader: drains the outbox" if worker.index == 0 else "",
                    f" (metrics port {worker.ready.metrics_port})"
                    if worker.ready.metrics_port
                    else "",
                )

    def _stop_all(self) -> None:
        running = [worker for worker in self._workers if worker.running]
        for worker in running:
            assert worker.process is not None  # noqa: S101 - running
            worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self._stop_timeout
        for worker in running:
            assert worker.process is not None  # noqa: S101 - running
            try:
                worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("worker %d did not stop in time; killing it", worker.index)
                worker.process.kill()
                worker.process.wait()
        for worker in self._workers:
            worker.close_reader()


def worker_command() -> list[str]:
    """The argv that runs this `silo` command line again, in a fresh interpreter."""
    return [sys.executable, "-m", "shared", *sys.argv[1:]]
