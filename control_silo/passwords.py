"""Django-compatible password hashes, so hashes exported by Sentry verify here and back.

Written: ``pbkdf2_sha256$<iterations>$<salt>$<base64 digest>``. Verified as well: the older
``pbkdf2_sha1`` and salted ``sha1`` formats. A hash starting with ``!`` is unusable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string

DEFAULT_ITERATIONS = 600_000
UNUSABLE_PREFIX = "!"
_SALT_ALPHABET = string.ascii_letters + string.digits
_PBKDF2_ALGORITHMS = {"pbkdf2_sha256": "sha256", "pbkdf2_sha1": "sha1"}
MAX_HASH_LENGTH = 128


def _random_text(length: int) -> str:
    return "".join(secrets.choice(_SALT_ALPHABET) for _ in range(length))


def _pbkdf2(algorithm: str, password: str, salt: str, iterations: int) -> str:
    digest = hashlib.pbkdf2_hmac(algorithm, password.encode(), salt.encode(), iterations)
    return base64.b64encode(digest).decode("ascii").strip()


def make_password(password: str, *, iterations: int = DEFAULT_ITERATIONS) -> str:
    """Hashes ``password`` with PBKDF2-SHA256 and a fresh 22-character salt."""
    salt = _random_text(22)
    return f"pbkdf2_sha256${iterations}${salt}${_pbkdf2('sha256', password, salt, iterations)}"


def make_unusable_password() -> str:
    """A hash no password matches (``!`` and 40 random characters, as Django writes it)."""
    # 30 random bytes as 40 URL-safe characters: one call, where imports make thousands.
    return UNUSABLE_PREFIX + secrets.token_urlsafe(30)


def is_usable(encoded: str) -> bool:
    """Whether some password could match ``encoded``."""
    return bool(encoded) and not encoded.startswith(UNUSABLE_PREFIX)


def check_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches ``encoded``, compared in constant time."""
    if not is_usable(encoded):
        return False
    algorithm, _, rest = encoded.partition("$")
    if algorithm in _PBKDF2_ALGORITHMS:
        iterations, salt, expected = [*rest.split("$", 2), "", ""][:3]
        if not iterations.isdigit() or not salt:
            return False
        actual = _pbkdf2(_PBKDF2_ALGORITHMS[algorithm], password, salt, int(iterations))
        return hmac.compare_digest(actual.encode(), expected.encode())
    if algorithm == "sha1":
        salt, _, expected = rest.partition("$")
        actual = hashlib.sha1((salt + password).encode()).hexdigest()  # noqa: S324 - legacy format, verify only
        return hmac.compare_digest(actual.encode(), expected.encode())
    return False


def _pbkdf2_parts_ok(parts: list[str]) -> bool:
    return len(parts) == 3 and parts[0].isdigit() and int(parts[0]) > 0 and all(parts[1:])


def _sha1_parts_ok(parts: list[str]) -> bool:
    return len(parts) == 2 and len(parts[1]) == 40


_SHAPES = {
    "pbkdf2_sha256": (_pbkdf2_parts_ok, "pbkdf2_sha256$<iterations>$<salt>$<hash>"),
    "pbkdf2_sha1": (_pbkdf2_parts_ok, "pbkdf2_sha1$<iterations>$<salt>$<hash>"),
    "sha1": (_sha1_parts_ok, "sha1$<salt>$<hex digest>"),
}


def validate_hash(encoded: str) -> str | None:
    """None when ``encoded`` is a hash this module understands; else what is wrong with it."""
    if len(encoded) > MAX_HASH_LENGTH:
        return f"is longer than {MAX_HASH_LENGTH} characters"
    if encoded.startswith(UNUSABLE_PREFIX):
        return None
    algorithm, _, rest = encoded.partition("$")
    if algorithm not in _SHAPES:
        known = ", ".join(_SHAPES)
        return f"uses an unknown algorithm {algorithm!r}: expected one of {known}"
    parts_ok, shape = _SHAPES[algorithm]
    return None if parts_ok(rest.split("$")) else f"is not a {shape} string"
