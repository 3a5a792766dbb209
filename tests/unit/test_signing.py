"""Request signatures, checked against the wire format written out by hand."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from shared.rpc import signing

METHOD = "/silo.user.v1.UserService/GetUser"
BODY = b"\x08\x2a"
NONCE = "0123456789abcdef0123456789abcdef"


def by_hand(secret: str, timestamp: str, nonce: str = NONCE) -> str:
    text = f"{METHOD}:{timestamp}:{nonce}:".encode() + BODY
    return "Rpcsignature rpc1:" + hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


def check(secrets: list[str], **call: Any) -> str | None:
    arguments: dict[str, Any] = {
        "full_method": METHOD,
        "timestamp": "1000",
        "nonce": NONCE,
        "authorization": by_hand("k", "1000"),
        "body": BODY,
        "now": 1000,
    }
    arguments.update(call)
    return signing.verify(secrets, **arguments)


def test_header_matches_the_documented_format() -> None:
    assert signing.authorization_header("k", METHOD, "1700000000", NONCE, BODY) == by_hand(
        "k", "1700000000"
    )


def test_a_new_nonce_is_32_lowercase_hex_digits_and_fresh() -> None:
    nonces = {signing.new_nonce() for _ in range(100)}
    assert len(nonces) == 100
    assert all(signing.is_nonce(nonce) for nonce in nonces)


def test_verify_accepts_any_configured_secret() -> None:
    assert check(["new", "old"], authorization=by_hand("old", "1000")) is None


def test_verify_rejections() -> None:
    assert check(["k"], timestamp=None) == "missing request signature"
    assert check(["k"], authorization=None) == "missing request signature"
    assert check(["k"], nonce=None) == "missing request signature"
    assert check(["k"], timestamp="10x") == "malformed x-silo-timestamp"
    assert check(["k"], timestamp="9" * 5000) == "malformed x-silo-timestamp"
    assert check(["k"], nonce="XYZ") == "malformed x-silo-nonce"
    assert "too far" in (check(["k"], now=1301) or "")
    assert check(["k"], now=1300) is None
    assert "does not match" in (check(["other"]) or "")
    assert "does not match" in (check(["k"], body=b"") or "")
    # The nonce is signed: another one does not carry the same signature.
    assert "does not match" in (check(["k"], nonce="f" * 32) or "")
    assert check(["k"], full_method="/silo.user.v1.UserService/CreateUser") is not None
    assert "Rpcsignature" in (check(["k"], authorization="Bearer x") or "")
    assert "Rpcsignature" in (check(["k"], authorization="Rpcsignature rpc0:" + "0" * 64) or "")


def test_a_timestamp_ahead_of_the_clock_is_accepted_only_within_the_future_skew() -> None:
    ahead = str(1000 + signing.MAX_FUTURE_SKEW_SECONDS)
    assert check(["k"], timestamp=ahead, authorization=by_hand("k", ahead)) is None
    too_far = str(1001 + signing.MAX_FUTURE_SKEW_SECONDS)
    assert "too far" in (check(["k"], timestamp=too_far, authorization=by_hand("k", too_far)) or "")
    assert signing.MAX_FUTURE_SKEW_SECONDS <= 60


def test_a_signature_expires_when_its_timestamp_stops_being_accepted() -> None:
    assert signing.expiry("1000") > 1000 + signing.MAX_CLOCK_SKEW_SECONDS
    assert check(["k"], now=signing.expiry("1000")) is not None


def test_a_secret_keyed_once_signs_each_message_on_its_own() -> None:
    key = signing.SecretKey("k")

    # Every signature starts from the keyed state: none carries what an earlier one signed.
    for timestamp in ("1000", "1001", "1000"):
        assert (
            signing.SIGNATURE_PREFIX + key.signature(METHOD, timestamp, NONCE, BODY)
        ) == by_hand("k", timestamp)


def test_the_keyed_states_give_the_standard_hmac_for_keys_of_every_length() -> None:
    # Shorter than SHA-256's 64-byte block, exactly one block, and longer (hashed first).
    secrets = ["", "k", "é" * 31 + "x", "s" * 64, "s" * 65, "long secret " * 20]
    messages = [b"", b"x", bytes(range(256)) * 3]
    for secret in secrets:
        key = signing.SecretKey(secret)
        for message in messages:
            expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
            assert key.hex_mac(message) == expected, (len(secret.encode()), len(message))


def test_a_nonce_is_exactly_32_lowercase_hex_digits() -> None:
    assert signing.is_nonce(NONCE)
    refused = ["", NONCE[:-1], NONCE + "0", NONCE.upper(), " " + NONCE[1:], NONCE[:-1] + "\n"]
    refused += [NONCE[:-1] + "g", "0x" + NONCE[2:], NONCE[:-1] + "٣"]
    assert not any(signing.is_nonce(nonce) for nonce in refused)
