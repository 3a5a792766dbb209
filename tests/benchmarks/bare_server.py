"""The floor: a bare grpcio server (no interceptors, no signing check, no logging) answering
GetUser by reading the control database with the raw ``sqlite3`` module, as the two statements
the user read needs (the user row; its emails, permissions and roles), rows straight into the
response message. Given no database it answers with fixed bytes instead (an echo server).

Run as ``python -m tests.benchmarks.bare_server RESPONSE_FILE [DATABASE_FILE]``; prints its
port on stdout. It serves on 16 threads, or as many as ``FLOOR_THREADS`` says.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
import threading
from concurrent import futures
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc

from shared.generated.silo.user.v1 import user_pb2

GET_USER = "/silo.user.v1.UserService/GetUser"
THREADS_VARIABLE = "FLOOR_THREADS"

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


class Floor(grpc.GenericRpcHandler):
    """Answers GetUser only: from the database when given one, else with fixed bytes."""

    def __init__(self, response: bytes, database: str | None) -> None:
        if database is None:
            behaviour: Any = lambda _request, _context: response  # noqa: E731
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


def main() -> None:
    response = Path(sys.argv[1]).read_bytes()
    database = sys.argv[2] if len(sys.argv) > 2 else None
    threads = int(os.environ.get(THREADS_VARIABLE, "16"))
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=threads), handlers=[Floor(response, database)]
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
