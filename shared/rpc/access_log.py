"""The access log: one JSON line per RPC (method, status code, duration, request id), handed to
a writer as the call ends.

A serving process (``shared.logs.configure_logging``) uses ``BatchedAccessLog``: calls only queue
their line, and a background thread writes the queued lines in one write every interval, when
the server stops and at interpreter exit; a crash loses at most one interval of lines. A process
whose logging is not set up for serving (tests, embedding) uses ``LoggerAccessLog``: each line
goes to the ``silo.rpc`` logger as its call ends. Either may keep only a sample of the calls that
succeeded; every failed call is logged.
"""

from __future__ import annotations

import atexit
import logging
import os
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring_ascii
from typing import Protocol

# A JSON string literal of a str, as json.dumps writes it (ASCII only, escapes included).
_quoted: Callable[[str], str] = encode_basestring_ascii

rpc_log = logging.getLogger("silo.rpc")

DEFAULT_INTERVAL_SECONDS = 0.5

# One queued line: when the call ended (Unix time), method, code name, seconds, request id.
Entry = tuple[float, str, str, float, str | None]


class AccessLog(Protocol):
    """Where a server's per-call lines go."""

    def record(self, method: str, code: str, seconds: float, request_id: str | None) -> None:
        """Notes one finished call: its full method, status code name, duration in seconds and
        request id (None when the call carried none; the line gets a fresh one)."""

    def flush(self) -> None:
        """Writes every line noted so far."""


def check_sample(sample: float) -> float:
    """``sample`` when it is a fraction of calls (0 to 1); raises ``ValueError`` otherwise."""
    if not 0.0 <= sample <= 1.0:
        raise ValueError(f"the access log sample must be between 0 and 1, not {sample}")
    return sample


def access_line(method: str, code: str, seconds: float, request_id: str | None) -> str:
    """The JSON text of one call's line: what ``json.dumps`` writes for the object
    ``{"event": "rpc", "method", "code", "duration_ms", "request_id"}``, put together directly."""
    return (
        f'{{"event": "rpc", "method": {_quoted(method)}, "code": {_quoted(code)}, '
        f'"duration_ms": {round(seconds * 1000, 3)!r}, '
        f'"request_id": {_quoted(request_id or uuid.uuid4().hex)}}}'
    )


class LoggerAccessLog:
    """Hands each line to the ``silo.rpc`` logger as its call ends."""

    def __init__(self, sample: float = 1.0, logger: logging.Logger = rpc_log) -> None:
        self._sample = check_sample(sample)
        self._logger = logger

    def record(self, method: str, code: str, seconds: float, request_id: str | None) -> None:
        if code == "OK" and self._sample < 1.0 and random.random() >= self._sample:  # noqa: S311
            return
        if self._logger.isEnabledFor(logging.INFO):
            self._logger.info(access_line(method, code, seconds, request_id))

    def flush(self) -> None:
        """Nothing is kept, so nothing to write."""


class BatchedAccessLog:
    """Queues each call's line and writes the queue every ``interval`` seconds from a background
    thread (started by the first line), on ``flush`` and at interpreter exit.

    ``write`` gets the formatted lines of one batch, in the order their calls ended; ``formatter``
    turns a queued entry into its line. Lines are kept only while ``logger`` is enabled for INFO.
    """

    def __init__(
        self,
        write: Callable[[Sequence[str]], None],
        formatter: Callable[[Entry], str],
        *,
        interval: float = DEFAULT_INTERVAL_SECONDS,
        sample: float = 1.0,
        logger: logging.Logger = rpc_log,
    ) -> None:
        self._write = write
        self._format = formatter
        self._interval = interval
        self._sample = check_sample(sample)
        self._logger = logger
        self._pending: deque[Entry] = deque()
        self._flushing = threading.Lock()
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        atexit.register(self.flush)

    def record(self, method: str, code: str, seconds: float, request_id: str | None) -> None:
        if code == "OK" and self._sample < 1.0 and random.random() >= self._sample:  # noqa: S311
            return
        if not self._logger.isEnabledFor(logging.INFO):
            return
        self._pending.append((time.time(), method, code, seconds, request_id))
        if self._thread is None:
            self._start()

    def _start(self) -> None:
        with self._started:
            if self._thread is None and not self._stopping.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="silo-access-log", daemon=True
                )
                self._thread.start()

    def after_fork(self) -> None:
        """In a forked child: no background thread runs there yet, the locks start free, and
        the lines the parent had queued are left to the parent (which writes them)."""
        self._thread = None
        self._flushing = threading.Lock()
        self._started = threading.Lock()
        self._stopping = threading.Event()
        self._pending = deque()

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            self.flush()

    def flush(self) -> None:
        """Writes every queued line now."""
        with self._flushing:
            pending = self._pending
            lines: list[str] = []
            # Lines queued while this runs wait for the next batch.
            for _ in range(len(pending)):
                lines.append(self._format(pending.popleft()))
            if lines:
                self._write(lines)

    def close(self) -> None:
        """Stops the background thread and writes what is queued."""
        self._stopping.set()
        thread = self._thread
        if thread is not None:
            thread.join()
        self.flush()
        atexit.unregister(self.flush)


_process_access_log: AccessLog | None = None


def use_access_log(access_log: AccessLog | None) -> AccessLog | None:
    """Makes ``access_log`` where every server built without one writes (None: the logger);
    returns the one it replaces."""
    global _process_access_log
    previous, _process_access_log = _process_access_log, access_log
    return previous


def process_access_log() -> AccessLog:
    """The access log servers of this process write to by default."""
    return _process_access_log if _process_access_log is not None else LoggerAccessLog()


def _after_fork_in_child() -> None:
    if isinstance(_process_access_log, BatchedAccessLog):
        _process_access_log.after_fork()


# A forked worker writes its own lines: it starts its own thread with its first line.
os.register_at_fork(after_in_child=_after_fork_in_child)
