"""Request signing: HMAC-SHA256 over the method, a timestamp, a nonce and the serialized request."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import os
from collections.abc import Callable, Sequence
from typing import Any

TIMESTAMP_METADATA_KEY = "x-silo-timestamp"
NONCE_METADATA_KEY = "x-silo-nonce"
AUTHORIZATION_METADATA_KEY = "authorization"
SIGNATURE_PREFIX = "Rpcsignature rpc1:"
NONCE_BYTES = 16
# A call is accepted up to this long after its timestamp (and remembered that long, so that it
# cannot be replayed), and only this far ahead of the server clock.
MAX_CLOCK_SKEW_SECONDS = 300
MAX_FUTURE_SKEW_SECONDS = 30
_HEX_DIGITS = "0123456789abcdef"
_SHA256_BLOCK_BYTES = 64
_INNER_PAD = 0x36
_OUTER_PAD = 0x5C


def _plain_sha256() -> Callable[..., Any]:
    """CPython's own SHA-256 when it has one, else hashlib's (OpenSSL's). Signing copies two
    hash states per call: the built-in one copies a small struct, where OpenSSL 3 duplicates an
    EVP context through its provider layer, which costs more than hashing a short message."""
    for module in ("_sha2", "_sha256"):  # the name from CPython 3.12 on, then before
        try:
            constructor: Callable[..., Any] = importlib.import_module(module).sha256
        except (ImportError, AttributeError):
            continue
        return constructor
    return hashlib.sha256


_sha256 = _plain_sha256()


def new_nonce() -> str:
    """A fresh random call nonce: 128 bits as 32 lowercase hex digits."""
    return os.urandom(NONCE_BYTES).hex()


def is_nonce(nonce: str) -> bool:
    """Whether ``nonce`` has the nonce format: 32 lowercase hex digits."""
    return len(nonce) == 2 * NONCE_BYTES and not nonce.strip(_HEX_DIGITS)


def _signed_text(full_method: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return b":".join((full_method.encode(), timestamp.encode(), nonce.encode(), body))


class SecretKey:
    """One signing secret, keyed into HMAC-SHA256 once (RFC 2104): the inner and outer hash
    states, each having absorbed the padded key, are kept, and each signature continues copies
    of them, since keying is most of the work of signing a short message."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, secret: str) -> None:
        key = secret.encode()
        if len(key) > _SHA256_BLOCK_BYTES:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_SHA256_BLOCK_BYTES, b"\0")
        self._inner = _sha256(bytes(byte ^ _INNER_PAD for byte in key))
        self._outer = _sha256(bytes(byte ^ _OUTER_PAD for byte in key))

    def hex_mac(self, message: bytes) -> str:
        """The lowercase hex HMAC-SHA256 of ``message`` under this secret."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        hex_digest: str = outer.hexdigest()
        return hex_digest

    def signature(self, full_method: str, timestamp: str, nonce: str, body: bytes) -> str:
        """The lowercase hex HMAC-SHA256 of ``FULL_METHOD:TIMESTAMP:NONCE:`` + body."""
        return self.hex_mac(_signed_text(full_method, timestamp, nonce, body))

    def signed_metadata(
        self, full_method: str, body: bytes, timestamp: str, nonce: str
    ) -> tuple[tuple[str, str], tuple[str, str], tuple[str, str]]:
        """The three signature metadata entries of a call with one request message."""
        return (
            (TIMESTAMP_METADATA_KEY, timestamp),
            (NONCE_METADATA_KEY, nonce),
            (
                AUTHORIZATION_METADATA_KEY,
                SIGNATURE_PREFIX + self.signature(full_method, timestamp, nonce, body),
            ),
        )


def signature(secret: str, full_method: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The lowercase hex HMAC-SHA256 of ``FULL_METHOD:TIMESTAMP:NONCE:`` + body, keyed with
    ``secret``."""
    return SecretKey(secret).signature(full_method, timestamp, nonce, body)


def authorization_header(
    secret: str, full_method: str, timestamp: str, nonce: str, body: bytes
) -> str:
    """The ``authorization`` metadata value for one call."""
    return SIGNATURE_PREFIX + signature(secret, full_method, timestamp, nonce, body)


def check_timestamp(timestamp: str, now: float) -> str | None:
    """Checks a call's ``x-silo-timestamp``; returns None when it is usable, else why it is not."""
    # isdigit alone admits non-ASCII digits that int() refuses, and int() refuses very long text.
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 20:
        return "malformed x-silo-timestamp"
    age = now - int(timestamp)
    if age > MAX_CLOCK_SKEW_SECONDS or -age > MAX_FUTURE_SKEW_SECONDS:
        return "x-silo-timestamp is too far from the server clock"
    return None


def expiry(timestamp: str) -> float:
    """When a call with this (checked) timestamp stops being accepted, so need not be remembered."""
    return float(int(timestamp) + MAX_CLOCK_SKEW_SECONDS + 1)


def signed_metadata(
    secret: str, full_method: str, body: bytes, timestamp: str, nonce: str
) -> tuple[tuple[str, str], tuple[str, str], tuple[str, str]]:
    """The three signature metadata entries of a call with one request message."""
    return SecretKey(secret).signed_metadata(full_method, body, timestamp, nonce)


def verify(
    secrets: Sequence[str],
    *,
    full_method: str,
    timestamp: str | None,
    nonce: str | None,
    authorization: str | None,
    body: bytes,
    now: float,
) -> str | None:
    """Checks a call's signature; returns None when it is good, else the reason it is not."""
    return SigningKeys(secrets).verify(
        full_method=full_method,
        timestamp=timestamp,
        nonce=nonce,
        authorization=authorization,
        body=body,
        now=now,
    )


class SigningKeys:
    """The accepted secrets of a server, encoded once, checking the signatures of calls."""

    def __init__(self, secrets: Sequence[str]) -> None:
        self._keys = tuple(SecretKey(secret) for secret in secrets)

    def verify(
        self,
        *,
        full_method: str,
        timestamp: str | None,
        nonce: str | None,
        authorization: str | None,
        body: bytes,
        now: float,
    ) -> str | None:
        """Checks a call's signature; returns None when it is good, else the reason it is not."""
        if not timestamp or not nonce or not authorization:
            return "missing request signature"
        problem = check_timestamp(timestamp, now)
        if problem is not None:
            return problem
        if not is_nonce(nonce):
            return f"malformed {NONCE_METADATA_KEY}"
        if not authorization.startswith(SIGNATURE_PREFIX):
            return "authorization is not an Rpcsignature rpc1 signature"
        given = authorization[len(SIGNATURE_PREFIX) :].encode()
        message = _signed_text(full_method, timestamp, nonce, body)
        # Every secret is tried, so the time taken does not tell which one (if any) matched.
        matched = False
        for key in self._keys:
            matched |= hmac.compare_digest(given, key.hex_mac(message).encode())
        return None if matched else "request signature does not match"
