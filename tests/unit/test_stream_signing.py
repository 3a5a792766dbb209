"""Request stream signatures and frames, checked against the wire format written out by hand."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

import pytest

from shared import errors
from shared.rpc import streams

METHOD = "/silo.test.v1.StreamTestService/Sum"
TIMESTAMP = "1700000000"
NONCE = "00112233445566778899aabbccddeeff"
OTHER_NONCE = "ffeeddccbbaa99887766554433221100"
PAYLOADS = [b"\x08\x01", b"\x08\x02", b"\x08\x03"]


def call_signature_by_hand(secret: str, nonce: str = NONCE) -> bytes:
    message = f"{METHOD}:{TIMESTAMP}:{nonce}:".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def frame_by_hand(
    secret: str, sequence: int, flag: int, payload: bytes, nonce: str = NONCE
) -> bytes:
    signed = call_signature_by_hand(secret, nonce) + sequence.to_bytes(8, "big")
    mac = hmac.new(secret.encode(), signed + bytes([flag]) + payload, hashlib.sha256).digest()
    return bytes([flag]) + mac + payload


def signed_frames(key: str = "k", nonce: str = NONCE) -> list[bytes]:
    return list(streams.sign_call(key, METHOD, TIMESTAMP, nonce).frames(PAYLOADS))


def verifier(secrets: Iterable[str] = ("k",), nonce: str = NONCE) -> streams.FrameVerifier:
    authorization = "Rpcsignature rpc0-stream:" + call_signature_by_hand("k", nonce).hex()
    return streams.verify_call(
        list(secrets),
        full_method=METHOD,
        timestamp=TIMESTAMP,
        nonce=nonce,
        authorization=authorization,
        now=int(TIMESTAMP),
    )


def read_all(frames: Iterable[bytes], check: streams.FrameVerifier | None = None) -> list[bytes]:
    """The payloads a servicer would see before the stream was refused, raising the refusal."""
    seen: list[bytes] = []
    with pytest.raises(errors.Unauthenticated):
        for payload in (check or verifier()).messages(frames):
            seen.append(payload)
    return seen


def test_call_signature_and_frames_match_the_documented_format() -> None:
    call = streams.sign_call("k", METHOD, TIMESTAMP, NONCE)
    assert call.signature == call_signature_by_hand("k")
    assert call.authorization == "Rpcsignature rpc0-stream:" + call_signature_by_hand("k").hex()
    assert signed_frames() == [
        frame_by_hand("k", 0, 0, PAYLOADS[0]),
        frame_by_hand("k", 1, 0, PAYLOADS[1]),
        frame_by_hand("k", 2, 0, PAYLOADS[2]),
        frame_by_hand("k", 3, 1, b""),
    ]


def test_nonces_are_fresh_128_bit_hex() -> None:
    nonces = {streams.new_nonce() for _ in range(100)}
    assert len(nonces) == 100
    assert all(len(nonce) == 32 and int(nonce, 16) >= 0 for nonce in nonces)


def test_a_good_stream_yields_every_payload() -> None:
    assert list(verifier().messages(signed_frames())) == PAYLOADS


def test_an_empty_stream_is_just_the_end_frame() -> None:
    frames = list(streams.sign_call("k", METHOD, TIMESTAMP, NONCE).frames([]))
    assert frames == [frame_by_hand("k", 0, 1, b"")]
    assert list(verifier().messages(frames)) == []


def test_a_changed_payload_byte_is_refused_at_its_frame() -> None:
    frames = signed_frames()
    frames[1] = frames[1][:-1] + b"\x09"
    assert read_all(frames) == PAYLOADS[:1]


def test_a_changed_mac_is_refused() -> None:
    frames = signed_frames()
    frames[1] = frames[1][:5] + bytes([frames[1][5] ^ 1]) + frames[1][6:]
    assert read_all(frames) == PAYLOADS[:1]


def test_a_changed_flag_is_refused() -> None:
    frames = signed_frames()
    frames[3] = b"\x00" + frames[3][1:]
    assert read_all(frames) == PAYLOADS


def test_reordered_frames_are_refused() -> None:
    frames = signed_frames()
    assert read_all([frames[0], frames[2], frames[1], frames[3]]) == PAYLOADS[:1]


def test_a_dropped_middle_frame_is_refused() -> None:
    frames = signed_frames()
    assert read_all([frames[0], frames[2], frames[3]]) == PAYLOADS[:1]


def test_a_duplicated_frame_is_refused() -> None:
    frames = signed_frames()
    assert read_all([frames[0], frames[0], *frames[1:]]) == PAYLOADS[:1]


def test_a_stream_without_its_end_frame_is_refused() -> None:
    assert read_all(signed_frames()[:-1]) == PAYLOADS


def test_dropping_trailing_messages_is_refused() -> None:
    frames = signed_frames()
    assert read_all(frames[:2]) == PAYLOADS[:2]
    # The original end frame carries the original count, so it cannot close a shorter stream.
    assert read_all([frames[0], frames[1], frames[3]]) == PAYLOADS[:2]


def test_frames_after_the_end_frame_are_refused() -> None:
    frames = signed_frames()
    assert read_all([*frames, frames[3]]) == PAYLOADS


def test_a_frame_from_another_call_is_refused() -> None:
    frames = signed_frames()
    other = signed_frames(nonce=OTHER_NONCE)
    assert read_all([frames[0], other[1], frames[2], frames[3]]) == PAYLOADS[:1]
    # A whole stream replayed under another call's signature fails at its first frame.
    assert read_all(other) == []


def test_malformed_frames_are_refused() -> None:
    call = streams.sign_call("k", METHOD, TIMESTAMP, NONCE)
    assert read_all([b"\x00" + b"\x01" * 31]) == []
    assert read_all([call.frame(0, 2, PAYLOADS[0])]) == []
    assert read_all([call.frame(0, 1, b"trailing")]) == []


def test_a_verifier_refuses_everything_after_the_end() -> None:
    check = verifier()
    frames = signed_frames()
    assert [check.open(frame) for frame in frames] == [*PAYLOADS, None]
    with pytest.raises(errors.Unauthenticated, match="after the end"):
        check.open(frames[0])


def test_wrong_secret_is_refused() -> None:
    with pytest.raises(errors.Unauthenticated, match="does not match"):
        verifier(secrets=["other"])
    # Frames signed with another secret fail even under a good call signature.
    assert read_all(signed_frames(key="other")) == []


def test_rotation_any_configured_secret_verifies_and_then_keys_the_frames() -> None:
    check = verifier(secrets=["new", "k"])
    assert check.call.secret == "k"
    assert list(check.messages(signed_frames())) == PAYLOADS
    assert read_all(signed_frames(key="new"), verifier(secrets=["new", "k"])) == []


def refusal(
    *,
    timestamp: str | None = TIMESTAMP,
    nonce: str | None = NONCE,
    authorization: str | None = None,
    now: float = int(TIMESTAMP),
    full_method: str = METHOD,
) -> str:
    """Why ``verify_call`` refuses a call that differs from a good one as given."""
    good = "Rpcsignature rpc0-stream:" + call_signature_by_hand("k").hex()
    with pytest.raises(errors.Unauthenticated) as refused:
        streams.verify_call(
            ["k"],
            full_method=full_method,
            timestamp=timestamp,
            nonce=nonce,
            authorization=good if authorization is None else authorization,
            now=now,
        )
    return refused.value.message


def test_call_signature_rejections() -> None:
    assert refusal(nonce=None) == "missing request stream signature"
    assert refusal(timestamp=None) == "missing request stream signature"
    assert refusal(authorization="") == "missing request stream signature"
    assert refusal(nonce="abc") == "malformed x-silo-nonce"
    assert refusal(nonce=NONCE.upper()) == "malformed x-silo-nonce"
    assert refusal(timestamp="17e9") == "malformed x-silo-timestamp"
    assert refusal(timestamp="\u00b2") == "malformed x-silo-timestamp"
    assert "too far" in refusal(now=int(TIMESTAMP) + 301)
    assert "too far" in refusal(now=int(TIMESTAMP) - 301)
    assert "rpc0-stream" in refusal(authorization="Rpcsignature rpc0:" + "0" * 64)
    assert "does not match" in refusal(nonce=OTHER_NONCE)
    assert "does not match" in refusal(timestamp=str(int(TIMESTAMP) + 1))
    assert "does not match" in refusal(full_method="/silo.test.v1.StreamTestService/Totals")
