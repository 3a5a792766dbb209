"""Calls to method names no service registered cost the server nothing it keeps: the
per-method wrapper remembers wrapped handlers of registered methods only."""

from __future__ import annotations

import tracemalloc
import uuid

import grpc

from shared.rpc.server import create_server

UNKNOWN_CALLS = 4000


def call_unknown_names(address: str, count: int) -> None:
    with grpc.insecure_channel(address) as channel:
        for _ in range(count):
            name = f"/silo.{uuid.uuid4().hex}.v1.Service/{uuid.uuid4().hex * 4}"
            method: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(name)
            try:
                method(b"", timeout=5)
            except grpc.RpcError as error:
                assert isinstance(error, grpc.Call)
                assert error.code() == grpc.StatusCode.UNIMPLEMENTED


def test_unknown_method_names_do_not_grow_the_wrapper() -> None:
    running = create_server("127.0.0.1:0", [], secrets=("unknown-methods-secret",))
    address = f"127.0.0.1:{running.port}"
    try:
        call_unknown_names(address, 200)
        tracemalloc.start()
        try:
            before = tracemalloc.take_snapshot()
            call_unknown_names(address, UNKNOWN_CALLS)
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
    finally:
        running.stop(0)
    kept = tracemalloc.Filter(True, "*/shared/rpc/*")
    growth = sum(
        stat.size_diff
        for stat in after.filter_traces([kept]).compare_to(before.filter_traces([kept]), "filename")
    )
    # One remembered handler per name would be hundreds of bytes each.
    assert growth < 64 * 1024, growth
