"""A peer whose connection takes long to set up (a far region, a TLS handshake on a busy machine)
is still reached: a connection attempt may take as long as gRPC's own connect timeout allows,
not as little as the reconnect backoff."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer
from shared.services.registry import remote
from shared.services.user.service import UserService
from tests.conftest import TEST_SECRET

SETUP_DELAY_SECONDS = 1.0


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        target.close()
        source.close()


def _relay(client: socket.socket, server_port: int) -> None:
    """Forwards one connection to the server after holding it for ``SETUP_DELAY_SECONDS``."""
    time.sleep(SETUP_DELAY_SECONDS)
    server = socket.create_connection(("127.0.0.1", server_port))
    threading.Thread(target=_pipe, args=(client, server), daemon=True).start()
    threading.Thread(target=_pipe, args=(server, client), daemon=True).start()


@pytest.fixture
def slow_proxy(control_server: RunningServer) -> Iterator[str]:
    """A loopback address whose connections reach the control server a second late."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stopped = threading.Event()

    def accept() -> None:
        while not stopped.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=_relay, args=(client, control_server.port), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield f"127.0.0.1:{listener.getsockname()[1]}"
    stopped.set()
    listener.close()


def test_a_connection_slow_to_set_up_is_waited_for(slow_proxy: str) -> None:
    users = remote(UserService, open_channel(slow_proxy, secret=TEST_SECRET))
    assert users.get_many_by_id(user_ids=[1]) == []
