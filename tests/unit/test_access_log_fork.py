"""A forked child's access log: it writes its own calls' lines, never its parent's."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from shared.rpc.access_log import BatchedAccessLog, Entry, rpc_log, use_access_log


def method_of(entry: Entry) -> str:
    return json.dumps({"method": entry[1]})


@pytest.fixture
def info_level() -> Iterator[None]:
    level = rpc_log.level
    rpc_log.setLevel(logging.INFO)
    yield
    rpc_log.setLevel(level)


def test_a_forked_child_does_not_write_the_lines_its_parent_queued(
    info_level: None, tmp_path: Path
) -> None:
    def write(lines: Sequence[str]) -> None:
        with (tmp_path / f"{os.getpid()}.log").open("a") as file:
            file.write("".join(f"{line}\n" for line in lines))

    # An interval long enough that the parent's line is still queued when the child forks.
    log = BatchedAccessLog(write, method_of, interval=60)
    previous = use_access_log(log)
    try:
        log.record("/s/Parent", "OK", 0.001, None)
        child = os.fork()
        if child == 0:
            try:
                log.record("/s/Child", "OK", 0.001, None)
                log.flush()
            finally:
                os._exit(0)
        os.waitpid(child, 0)
    finally:
        use_access_log(previous)
        log.close()

    def methods(pid: int) -> list[str]:
        lines = (tmp_path / f"{pid}.log").read_text().splitlines()
        return [json.loads(line)["method"] for line in lines]

    assert methods(child) == ["/s/Child"]
    assert methods(os.getpid()) == ["/s/Parent"]
