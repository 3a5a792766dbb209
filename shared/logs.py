"""Process-wide logging: one line per event on stderr, with passwords in URLs masked; the access
log's lines written in batches (``shared.rpc.access_log``)."""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Sequence

from shared.rpc.access_log import (
    DEFAULT_INTERVAL_SECONDS,
    BatchedAccessLog,
    Entry,
    access_line,
    use_access_log,
)

# scheme://user:PASSWORD@host, and password=VALUE in a query string or connection string.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s'\"]*:)[^@\s'\"]+(?=@)")
_PASSWORD_PARAMETER = re.compile(r"(?P<head>\bpassword=)[^&\s'\"]+", re.IGNORECASE)
MASK = "***"


def mask_secrets(text: str) -> str:
    """``text`` with the password of every URL (and every ``password=`` parameter) replaced by
    ``***``."""
    if "://" not in text and "=" not in text:
        return text  # neither pattern can match: the common case, spared two regex scans
    text = _URL_PASSWORD.sub(lambda found: found.group("head") + MASK, text)
    return _PASSWORD_PARAMETER.sub(lambda found: found.group("head") + MASK, text)


class MaskingFormatter(logging.Formatter):
    """Formats records as usual, then masks passwords in the whole line, traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class BatchedLines:
    """Writes access-log lines to a stream handler's stream, a batch at a time, formatted as
    ``LINE_FORMAT`` formats a record of the ``silo.rpc`` logger (masked the same way)."""

    def __init__(self, handler: logging.StreamHandler) -> None:  # type: ignore[type-arg]
        self._handler = handler
        self._second = -1
        self._stamp = ""

    def format(self, entry: Entry) -> str:
        """The line of one queued access-log entry."""
        ended, method, code, seconds, request_id = entry
        second = int(ended)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        milliseconds = int((ended - second) * 1000)
        line = access_line(method, code, seconds, request_id)
        return mask_secrets(f"{self._stamp},{milliseconds:03d} INFO silo.rpc {line}")

    def write(self, lines: Sequence[str]) -> None:
        """Writes ``lines`` in one write, then flushes the stream."""
        self._handler.acquire()
        try:
            stream = self._handler.stream
            stream.write("\n".join(lines) + "\n")
            stream.flush()
        except (OSError, ValueError):
            # The stream is gone (closed at exit, a broken pipe): the lines cannot be written.
            return
        finally:
            self._handler.release()


def configure_logging(
    level: str = "INFO",
    *,
    rpc_log_sample: float = 1.0,
    rpc_log_interval: float = DEFAULT_INTERVAL_SECONDS,
) -> None:
    """Sends every ``silo.*`` logger to stderr with a timestamp and the logger name.

    Servers of this process then write their access log (one line per RPC) in batches, every
    ``rpc_log_interval`` seconds, when they stop and at exit; a crash loses at most one interval
    of lines. ``rpc_log_sample`` (0 to 1; a server passes its settings' ``rpc_log_sample``) is
    the fraction of successful calls logged; every failed call is.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MaskingFormatter(LINE_FORMAT))
    root = logging.getLogger("silo")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    lines = BatchedLines(handler)
    previous = use_access_log(
        BatchedAccessLog(
            lines.write, lines.format, interval=rpc_log_interval, sample=rpc_log_sample
        )
    )
    if isinstance(previous, BatchedAccessLog):
        previous.close()
