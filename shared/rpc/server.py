"""Building, starting and gracefully stopping a Silo gRPC server."""

from __future__ import annotations

import ipaddress
import logging
import signal
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from shared.db.requests import RequestLog
from shared.rpc.access_log import AccessLog, process_access_log
from shared.rpc.replay import ReplayGuard
from shared.rpc.thread_pool import ElasticThreadPool
from shared.rpc.tls import NO_TLS, TlsFiles
from shared.rpc.wrapping import Plumbing, WrappingServer

log = logging.getLogger("silo.server")

# Registers one servicer on a server and returns the full names of the services it adds.
Registration = Callable[[grpc.Server], Sequence[str]]


@dataclass
class RunningServer:
    """A started server: the port it is bound to, the handles to stop it gracefully, and the
    pool its calls run on (``calls``, for its metrics). ``server`` wraps every handler added to
    it with the plumbing, also once it runs."""

    server: grpc.Server
    port: int
    health: health.HealthServicer
    calls: ElasticThreadPool
    services: Sequence[str] = field(default_factory=tuple)
    access_log: AccessLog = field(default_factory=process_access_log)

    def stop(self, grace_seconds: float = 10.0) -> None:
        """Reports NOT_SERVING, lets in-flight calls finish for up to ``grace_seconds``, stops
        (the threads that ran calls then leave), and writes the access-log lines still queued."""
        self.health.enter_graceful_shutdown()
        self.server.stop(grace_seconds).wait()
        self.access_log.flush()


def is_loopback(address: str) -> bool:
    """Tells whether ``HOST:PORT`` binds only the loopback interface."""
    host = address.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_and_port(address: str) -> tuple[str, int] | None:
    host, separator, port = address.rpartition(":")
    if not separator or not port.isdigit():
        return None
    return host.strip("[]") or "0.0.0.0", int(port)  # noqa: S104 - what gRPC binds for ":PORT"


def check_free(address: str) -> None:
    """Raises ``OSError`` naming ``address`` when it cannot be listened on (the port is taken, or
    the host is not an address of this machine); port 0 always can."""
    parsed = _host_and_port(address)
    if parsed is None:
        raise OSError(f"cannot listen on {address}: not HOST:PORT")
    host, port = parsed
    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise OSError(f"cannot listen on {address}: {error.strerror}") from None
    for family, kind, protocol, _name, where in infos:
        with socket.socket(family, kind, protocol) as probe:
            # As gRPC does, so a port left in TIME_WAIT by a stopped server counts as free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(where)
            except OSError as error:
                raise OSError(f"cannot listen on {address}: {error.strerror}") from None


def create_server(
    address: str,
    registrations: Sequence[Registration],
    *,
    secrets: Sequence[str],
    max_workers: int = 16,
    observe: Callable[[str, str, float], None] | None = None,
    replay_guard: ReplayGuard | None = None,
    tls: TlsFiles = NO_TLS,
    requests: RequestLog | None = None,
    reuse_port: bool = False,
    access_log: AccessLog | None = None,
) -> RunningServer:
    """Builds and starts a server on ``address`` (port 0 picks a free port) with health,
    reflection, request signing (when ``secrets`` is not empty; a signature is accepted once,
    remembered by ``replay_guard``), per-RPC logging and, given a certificate in ``tls``, TLS
    (mutual when ``tls`` names a CA). Listening beyond loopback without TLS logs a warning.
    With ``requests``, a unary call's writes are tied to the call: an abandoned call commits
    nothing and a retried one gets the first response (``shared.db.requests``). With
    ``reuse_port``, several processes may listen on the same port and the kernel spreads new
    connections among them (``SO_REUSEPORT``); without it, a taken port is an error.
    One line per RPC goes to ``access_log`` (by default the process's, see
    ``shared.rpc.access_log``).

    Every method handler a registration adds (health and reflection too) is wrapped once, as it
    is added, with the plumbing of ``shared.rpc.wrapping``; no interceptor runs per call. Calls
    run on a few threads, up to ``max_workers`` while they wait rather than compute
    (``shared.rpc.thread_pool``).

    Raises ``ValueError`` when asked to listen beyond loopback without a shared secret.
    """
    if not secrets and not is_loopback(address):
        raise ValueError(
            f"refusing to listen on {address} without SILO_RPC_SHARED_SECRETS: "
            "unsigned calls are only accepted on a loopback address"
        )
    access_log = access_log if access_log is not None else process_access_log()
    plumbing = Plumbing(
        secrets,
        access_log=access_log,
        observe=observe,
        replay_guard=replay_guard,
        requests=requests,
    )
    calls = ElasticThreadPool(max_workers, thread_name_prefix="silo-rpc")
    server = grpc.server(
        calls,
        options=[("grpc.so_reuseport", 1 if reuse_port else 0)],
    )
    wrapping = WrappingServer(server, plumbing, calls)
    services: list[str] = []
    for register in registrations:
        services.extend(register(wrapping))
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, wrapping)
    for name in ["", *services]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        [*services, health.SERVICE_NAME, reflection.SERVICE_NAME], wrapping
    )
    if not reuse_port:
        check_free(address)
    credentials = tls.server_credentials()
    if credentials is None and not is_loopback(address):
        log.warning(
            "listening on %s without TLS: calls and their data travel in plain text "
            "(set SILO_TLS_CERT and SILO_TLS_KEY, or --tls-cert and --tls-key)",
            address,
        )
    try:
        if credentials is None:
            port = server.add_insecure_port(address)
        else:
            port = server.add_secure_port(address, credentials)
    except RuntimeError:
        port = 0
    if port == 0:
        raise OSError(f"cannot listen on {address}: the address is in use or not local")
    server.start()
    return RunningServer(
        # The wrapping server, so that a handler added once it runs gets the plumbing too.
        server=wrapping,
        port=port,
        health=health_servicer,
        services=services,
        access_log=access_log,
        calls=calls,
    )


def serve_until_signalled(running: RunningServer, grace_seconds: float = 10.0) -> None:
    """Blocks until SIGTERM or SIGINT, then stops the server gracefully."""
    stopping = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        log.info("received %s, shutting down", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    stopping.wait()
    running.stop(grace_seconds)
    log.info("server stopped")
