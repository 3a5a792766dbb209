"""Process-wide logging: one line per event on stderr, with passwords in URLs masked."""

from __future__ import annotations

import logging
import re
import sys

# scheme://user:PASSWORD@host, and password=VALUE in a query string or connection string.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s'\"]*:)[^@\s'\"]+(?=@)")
_PASSWORD_PARAMETER = re.compile(r"(?P<head>\bpassword=)[^&\s'\"]+", re.IGNORECASE)
MASK = "***"


def mask_secrets(text: str) -> str:
    """``text`` with the password of every URL (and every ``password=`` parameter) replaced by
    ``***``."""
    text = _URL_PASSWORD.sub(lambda found: found.group("head") + MASK, text)
    return _PASSWORD_PARAMETER.sub(lambda found: found.group("head") + MASK, text)


class MaskingFormatter(logging.Formatter):
    """Formats records as usual, then masks passwords in the whole line, traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


def configure_logging(level: str = "INFO") -> None:
    """Sends every ``silo.*`` logger to stderr with a timestamp and the logger name."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("silo")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
