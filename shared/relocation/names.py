"""Names imports make up: Sentry's random suffixes for taken names, and claim tokens."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

# Sentry's alphabet, as written (without 8, with 0 twice): suffixes look the same in both.
SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456790"
# (attempts, length): one 2-character suffix, then five of 3, twenty of 5, one of 12.
SUFFIX_SIZES = ((1, 2), (5, 3), (20, 5), (1, 12))


def random_text(length: int, alphabet: str = SUFFIX_ALPHABET) -> str:
    """``length`` characters drawn from ``alphabet`` with a cryptographic random source."""
    return "".join(secrets.choice(alphabet) for _ in range(length))


def suffixed(base: str, max_length: int) -> Iterator[str]:
    """Candidates for a taken ``base``: ``base-xy``, ``base-xyz``, ..., each within
    ``max_length`` (the base is cut to make room)."""
    for attempts, size in SUFFIX_SIZES:
        for _ in range(attempts):
            yield f"{base[: max_length - size - 1]}-{random_text(size)}"


def free_name(base: str, max_length: int, taken: Callable[[str], bool]) -> str:
    """``base`` when it is free (and not all digits), else the first free suffixed candidate.

    :raises LookupError: every candidate is taken.
    """
    if base and not base.isdecimal() and not taken(base):
        return base
    for candidate in suffixed(base, max_length):
        if not taken(candidate):
            return candidate
    raise LookupError(f"no free name like {base!r}")


def secure_token() -> str:
    """32 letters and digits (hexadecimal, 128 random bits): claim tokens and email validation
    hashes, in the length and alphabet of Sentry's."""
    return secrets.token_hex(16)
