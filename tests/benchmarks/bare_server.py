"""The floor: a bare grpcio server (no interceptors, no signing check, no logging) answering
GetUser by reading the control database with the raw ``sqlite3`` module, as the two statements
the user read needs (the user row; its emails, permissions and roles), rows straight into the
response message. Given no database it answers with fixed bytes instead (an echo server); given
the secret too (``FLOOR_SECRET``), it first checks the call's signature and claims it against
replays, as the wire contract asks of every server (a signed echo).

Run as ``python -m tests.benchmarks.bare_server RESPONSE_FILE [DATABASE_FILE]``; prints its
port on stdout. It serves on 16 threads, or as many as ``FLOOR_THREADS`` says. ``serving``
starts one for a benchmark.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc

from shared.generated.silo.user.v1 import user_pb2
from shared.rpc import signing
from shared.rpc.replay import MemoryReplayGuard
from shared.rpc.wrapping import CallMetadata
from tests.integration.processes import stop_process

GET_USER = "/silo.user.v1.UserService/GetUser"
THREADS_VARIABLE = "FLOOR_THREADS"
SECRET_VARIABLE = "FLOOR_SECRET"

_USER = (
    "SELECT id, username, email, first_name, is_active, is_staff, is_superuser, is_managed, "
    "is_unclaimed, is_password_expired, password, date_joined, last_login, last_active, flags, "
    'avatar_type, avatar_url FROM "user" WHERE id = ?'
)
_RELATED = (
    "SELECT 0, email, is_verified, id FROM useremail WHERE user_id = ?1 "
    "UNION ALL SELECT 1, permission, 0, id FROM userpermission WHERE user_id = ?1 "
    "UNION ALL SELECT 2, r.permissions, 0, g.id FROM userroleuser g "
    "JOIN userrole r ON r.id = g.role_id WHERE g.user_id = ?1 ORDER BY 4"
)


def _stamp(message: Any, value: str | None) -> None:
    if value is not None:
        message.FromDatetime(datetime.fromisoformat(value).replace(tzinfo=UTC))


class DatabaseReads(threading.local):
    """One ``sqlite3`` connection per server thread."""

    def __init__(self, database: str) -> None:
        self.connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)


def _get_user(reads: DatabaseReads, request: user_pb2.GetUserRequest) -> bytes:
    cursor = reads.connection.cursor()
    cursor.execute("BEGIN")
    try:
        row = cursor.execute(_USER, (request.user_id,)).fetchone()
        related = cursor.execute(_RELATED, (request.user_id,)).fetchall()
    finally:
        cursor.execute("COMMIT")
    user = user_pb2.User(
        id=row[0],
        username=row[1],
        email=row[2],
        name=row[3],
        is_active=bool(row[4]),
        is_staff=bool(row[5]),
        is_superuser=bool(row[6]),
        is_managed=bool(row[7]),
        is_unclaimed=bool(row[8]),
        is_password_expired=bool(row[9]),
        password_usable=bool(row[10]) and not row[10].startswith("!"),
        flags=row[14],
        avatar_type=row[15],
        avatar_url=row[16] or "",
    )
    _stamp(user.date_joined, row[11])
    _stamp(user.last_login, row[12])
    _stamp(user.last_active, row[13])
    for kind, value, verified, _ in related:
        if kind == 0:
            user.useremails.add(email=value, is_verified=bool(verified))
            if verified:
                user.emails.append(value)
        elif kind == 1:
            user.permissions.append(value)
        else:
            user.roles.extend(json.loads(value))
    return user_pb2.GetUserResponse(user=user).SerializeToString()


def _signed_echo(response: bytes, secret: str) -> Any:
    """Fixed bytes, after what the wire contract asks of every server first: the call's
    signature checked over the request's bytes and claimed against replays."""
    keys = signing.SigningKeys([secret])
    replays = MemoryReplayGuard()

    def behaviour(request: bytes, context: grpc.ServicerContext) -> bytes:
        call = CallMetadata(context.invocation_metadata())
        problem = keys.verify(
            full_method=GET_USER,
            timestamp=call.timestamp,
            nonce=call.nonce,
            authorization=call.authorization,
            body=request,
            now=time.time(),
        )
        if problem is not None or call.timestamp is None or call.authorization is None:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, problem or "unsigned")
        if not replays.claim(call.authorization, signing.expiry(call.timestamp)):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "replayed")
        return response

    return behaviour


class Floor(grpc.GenericRpcHandler):
    """Answers GetUser only: from the database when given one, else with fixed bytes (after
    checking the call's signature when given the secret)."""

    def __init__(self, response: bytes, database: str | None, secret: str | None = None) -> None:
        if database is None:
            behaviour: Any = (
                (lambda _request, _context: response)
                if secret is None
                else _signed_echo(response, secret)
            )
            deserializer = None
        else:
            reads = DatabaseReads(database)
            behaviour = lambda request, _context: _get_user(reads, request)  # noqa: E731
            deserializer = user_pb2.GetUserRequest.FromString
        self._handler: grpc.RpcMethodHandler[Any, Any] = grpc.unary_unary_rpc_method_handler(
            behaviour, request_deserializer=deserializer, response_serializer=None
        )

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        return self._handler if details.method == GET_USER else None


@contextmanager
def serving(
    response_file: Path,
    database: str | None = None,
    *,
    threads: int = 16,
    secret: str | None = None,
) -> Iterator[str]:
    """A bare server in its own process answering GetUser (from ``database``, else
    ``response_file``'s bytes, checking signatures with ``secret`` when given); its address."""
    if database is not None and secret is not None:
        raise ValueError("the floor reading a database checks no signatures")
    env = {**os.environ, THREADS_VARIABLE: str(threads)}
    env.pop(SECRET_VARIABLE, None)
    if secret is not None:
        env[SECRET_VARIABLE] = secret
    command = [sys.executable, "-m", "tests.benchmarks.bare_server", str(response_file)]
    process = subprocess.Popen(
        command + ([database] if database else []), stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    try:
        yield f"127.0.0.1:{int(process.stdout.readline())}"
    finally:
        stop_process(process, timeout=10)
        process.stdout.close()


def main() -> None:
    response = Path(sys.argv[1]).read_bytes()
    database = sys.argv[2] if len(sys.argv) > 2 else None
    threads = int(os.environ.get(THREADS_VARIABLE, "16"))
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=threads),
        handlers=[Floor(response, database, os.environ.get(SECRET_VARIABLE))],
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    server.stop(0)


if __name__ == "__main__":
    main()
