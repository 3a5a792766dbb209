"""The baseline: a bare grpcio server answering GetUser with a fixed, pre-serialized response.

Run as ``python -m tests.benchmarks.bare_server RESPONSE_FILE``; prints its port on stdout.
"""

from __future__ import annotations

import signal
import sys
import threading
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc

GET_USER = "/silo.user.v1.UserService/GetUser"


class FixedResponse(grpc.GenericRpcHandler):
    """Answers GetUser with the same bytes every time; no parsing beyond gRPC's own."""

    def __init__(self, response: bytes) -> None:
        self._handler: grpc.RpcMethodHandler[Any, Any] = grpc.unary_unary_rpc_method_handler(
            lambda _request, _context: response,
            request_deserializer=None,
            response_serializer=None,
        )

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        return self._handler if details.method == GET_USER else None


def main() -> None:
    response = Path(sys.argv[1]).read_bytes()
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=16), handlers=[FixedResponse(response)]
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
