"""Request signing: HMAC-SHA256 over the method, a timestamp and the serialized request."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

TIMESTAMP_METADATA_KEY = "x-silo-timestamp"
AUTHORIZATION_METADATA_KEY = "authorization"
SIGNATURE_PREFIX = "Rpcsignature rpc0:"
MAX_CLOCK_SKEW_SECONDS = 300


def signature(secret: str, full_method: str, timestamp: str, body: bytes) -> str:
    """The lowercase hex HMAC-SHA256 of ``FULL_METHOD:TIMESTAMP:`` + body, keyed with ``secret``."""
    message = f"{full_method}:{timestamp}:".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def authorization_header(secret: str, full_method: str, timestamp: str, body: bytes) -> str:
    """The ``authorization`` metadata value for one call."""
    return SIGNATURE_PREFIX + signature(secret, full_method, timestamp, body)


def check_timestamp(timestamp: str, now: float) -> str | None:
    """Checks a call's ``x-silo-timestamp``; returns None when it is usable, else why it is not."""
    # isdigit alone admits non-ASCII digits that int() refuses, and int() refuses very long text.
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 20:
        return "malformed x-silo-timestamp"
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return "x-silo-timestamp is too far from the server clock"
    return None


def verify(
    secrets: Sequence[str],
    *,
    full_method: str,
    timestamp: str | None,
    authorization: str | None,
    body: bytes,
    now: float,
) -> str | None:
    """Checks a call's signature; returns None when it is good, else the reason it is not."""
    if not timestamp or not authorization:
        return "missing request signature"
    problem = check_timestamp(timestamp, now)
    if problem is not None:
        return problem
    if not authorization.startswith(SIGNATURE_PREFIX):
        return "authorization is not an Rpcsignature rpc0 signature"
    given = authorization[len(SIGNATURE_PREFIX) :].encode()
    matches = [
        hmac.compare_digest(given, signature(secret, full_method, timestamp, body).encode())
        for secret in secrets
    ]
    return None if any(matches) else "request signature does not match"
