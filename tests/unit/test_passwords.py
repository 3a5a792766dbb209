"""Django-compatible password hashes."""

from __future__ import annotations

import base64
import hashlib

import pytest

from control_silo.passwords import (
    check_password,
    is_usable,
    make_password,
    make_unusable_password,
    validate_hash,
)

SENTRY_ADMIN_HASH = (
    "pbkdf2_sha256$260000$0B845S4PhAYGVop1tVF3vx$GJXuZrcVB2AOtFMt1c6bAZ4BUcLBq70cwy8ymulArpU="
)


def django_pbkdf2(algorithm: str, password: str, salt: str, iterations: int) -> str:
    digest = hashlib.pbkdf2_hmac(algorithm, password.encode(), salt.encode(), iterations)
    return base64.b64encode(digest).decode()


def test_written_hash_has_djangos_shape_and_verifies() -> None:
    encoded = make_password("correct horse", iterations=1200)
    algorithm, iterations, salt, digest = encoded.split("$")
    assert (algorithm, iterations, len(salt)) == ("pbkdf2_sha256", "1200", 22)
    assert digest == django_pbkdf2("sha256", "correct horse", salt, 1200)
    assert check_password("correct horse", encoded)
    assert not check_password("correct horsE", encoded)


def test_default_strength_is_djangos() -> None:
    assert make_password("x").split("$")[1] == "600000"


def test_salts_differ() -> None:
    assert make_password("same", iterations=10) != make_password("same", iterations=10)


def test_a_hash_written_by_sentry_verifies() -> None:
    assert check_password("admin", SENTRY_ADMIN_HASH)
    assert not check_password("Admin", SENTRY_ADMIN_HASH)


def test_older_formats_verify() -> None:
    sha1_pbkdf2 = f"pbkdf2_sha1$1000$pepper${django_pbkdf2('sha1', 'old', 'pepper', 1000)}"
    salted_sha1 = "sha1$salt$" + hashlib.sha1(b"saltancient").hexdigest()  # noqa: S324
    assert check_password("old", sha1_pbkdf2) and not check_password("new", sha1_pbkdf2)
    assert check_password("ancient", salted_sha1) and not check_password("modern", salted_sha1)


def test_unusable_passwords() -> None:
    encoded = make_unusable_password()
    assert encoded.startswith("!") and len(encoded) == 41
    assert not is_usable(encoded) and not is_usable("")
    assert not check_password("", encoded)
    assert not check_password(encoded[1:], encoded)


@pytest.mark.parametrize(
    "encoded",
    [SENTRY_ADMIN_HASH, "!abc", "pbkdf2_sha1$10$s$h", "sha1$salt$" + "a" * 40],
)
def test_validate_accepts_known_formats(encoded: str) -> None:
    assert validate_hash(encoded) is None


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "plaintext",
        "md5$a$b",
        "pbkdf2_sha256$many$salt$hash",
        "pbkdf2_sha256$0$s$h",
        "sha1$s$short",
        "x" * 129,
    ],
)
def test_validate_rejects_everything_else(encoded: str) -> None:
    assert validate_hash(encoded) is not None


def test_garbage_never_verifies() -> None:
    assert not check_password("pw", "pbkdf2_sha256$notanumber$salt$hash")
    assert not check_password("pw", "unknown$x$y")
