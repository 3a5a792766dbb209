"""Request signatures, checked against the wire format written out by hand."""

from __future__ import annotations

import hashlib
import hmac

from shared.rpc import signing

METHOD = "/silo.user.v1.UserService/GetUser"
BODY = b"\x08\x2a"


def by_hand(secret: str, timestamp: str) -> str:
    mac = hmac.new(secret.encode(), f"{METHOD}:{timestamp}:".encode() + BODY, hashlib.sha256)
    return "Rpcsignature rpc0:" + mac.hexdigest()


def test_header_matches_the_documented_format() -> None:
    assert signing.authorization_header("k", METHOD, "1700000000", BODY) == by_hand(
        "k", "1700000000"
    )


def test_verify_accepts_any_configured_secret() -> None:
    header = by_hand("old", "1000")
    assert (
        signing.verify(
            ["new", "old"],
            full_method=METHOD,
            timestamp="1000",
            authorization=header,
            body=BODY,
            now=1000,
        )
        is None
    )


def test_verify_rejections() -> None:
    header = by_hand("k", "1000")
    assert (
        signing.verify(
            ["k"], full_method=METHOD, timestamp=None, authorization=header, body=BODY, now=1000
        )
        == "missing request signature"
    )
    assert (
        signing.verify(
            ["k"], full_method=METHOD, timestamp="1000", authorization=None, body=BODY, now=1000
        )
        == "missing request signature"
    )
    assert (
        signing.verify(
            ["k"], full_method=METHOD, timestamp="10x", authorization=header, body=BODY, now=1000
        )
        == "malformed x-silo-timestamp"
    )
    assert "too far" in (
        signing.verify(
            ["k"], full_method=METHOD, timestamp="1000", authorization=header, body=BODY, now=1301
        )
        or ""
    )
    assert (
        signing.verify(
            ["k"], full_method=METHOD, timestamp="1000", authorization=header, body=BODY, now=1300
        )
        is None
    )
    assert "does not match" in (
        signing.verify(
            ["other"],
            full_method=METHOD,
            timestamp="1000",
            authorization=header,
            body=BODY,
            now=1000,
        )
        or ""
    )
    assert "does not match" in (
        signing.verify(
            ["k"], full_method=METHOD, timestamp="1000", authorization=header, body=b"", now=1000
        )
        or ""
    )
    wrong_method = "/silo.user.v1.UserService/CreateUser"
    assert (
        signing.verify(
            ["k"],
            full_method=wrong_method,
            timestamp="1000",
            authorization=header,
            body=BODY,
            now=1000,
        )
        is not None
    )
    assert "Rpcsignature" in (
        signing.verify(
            ["k"],
            full_method=METHOD,
            timestamp="1000",
            authorization="Bearer x",
            body=BODY,
            now=1000,
        )
        or ""
    )
