"""Process-wide logging: one line per event on stderr."""

from __future__ import annotations

import logging
import sys


def configure_logging(level: str = "INFO") -> None:
    """Sends every ``silo.*`` logger to stderr with a timestamp and the logger name."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("silo")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
