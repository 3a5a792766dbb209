"""Signed request streams: the call signature, request frames, streaming calls on a channel."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from shared import errors
from shared.rpc import signing

NONCE_METADATA_KEY = signing.NONCE_METADATA_KEY
STREAM_SIGNATURE_PREFIX = "Rpcsignature rpc0-stream:"
MESSAGE_FLAG = 0
END_FLAG = 1
MAC_BYTES = 32
FRAME_HEADER_BYTES = 1 + MAC_BYTES
SEQUENCE_BYTES = 8

ResponseT = TypeVar("ResponseT", bound=Message)


def new_nonce() -> str:
    """A fresh random call nonce: 128 bits as 32 lowercase hex digits."""
    return signing.new_nonce()


@dataclass(frozen=True)
class StreamCall:
    """One signed streaming-request call: the secret it is signed with and its call signature.

    ``signature`` is the raw 32-byte HMAC-SHA256 of ``FULL_METHOD:TIMESTAMP:NONCE:``; every frame's
    MAC starts from it, which binds each frame to this call (method, timestamp and nonce).
    """

    secret: str
    signature: bytes

    @property
    def authorization(self) -> str:
        """The ``authorization`` metadata value of the call."""
        return STREAM_SIGNATURE_PREFIX + self.signature.hex()

    def mac(self, sequence: int, flag: int, payload: bytes) -> bytes:
        """HMAC-SHA256(secret, signature || sequence as u64 big-endian || flag || payload)."""
        mac = hmac.new(self.secret.encode(), self.signature, hashlib.sha256)
        mac.update(sequence.to_bytes(SEQUENCE_BYTES, "big"))
        mac.update(bytes((flag,)))
        mac.update(payload)
        return mac.digest()

    def frame(self, sequence: int, flag: int, payload: bytes = b"") -> bytes:
        """One frame as sent: flag byte, its 32-byte MAC, then the payload."""
        return bytes((flag,)) + self.mac(sequence, flag, payload) + payload

    def frames(self, payloads: Iterable[bytes]) -> Iterator[bytes]:
        """The frames of a whole request stream: one per payload, in order, then the end frame."""
        sequence = 0
        for payload in payloads:
            yield self.frame(sequence, MESSAGE_FLAG, payload)
            sequence += 1
        yield self.frame(sequence, END_FLAG)


def sign_call(secret: str, full_method: str, timestamp: str, nonce: str) -> StreamCall:
    """The call signature of a streaming-request call, keyed with ``secret``."""
    message = f"{full_method}:{timestamp}:{nonce}:".encode()
    return StreamCall(secret, hmac.new(secret.encode(), message, hashlib.sha256).digest())


def verify_call(
    secrets: Sequence[str],
    *,
    full_method: str,
    timestamp: str | None,
    nonce: str | None,
    authorization: str | None,
    now: float,
) -> FrameVerifier:
    """Checks a streaming-request call's signature against every configured secret.

    Returns the verifier of the call's frames, keyed with the secret that matched; raises
    ``errors.Unauthenticated`` saying what is wrong otherwise.
    """
    if not timestamp or not nonce or not authorization:
        raise errors.Unauthenticated("missing request stream signature")
    problem = signing.check_timestamp(timestamp, now)
    if problem is not None:
        raise errors.Unauthenticated(problem)
    if not signing.is_nonce(nonce):
        raise errors.Unauthenticated(f"malformed {NONCE_METADATA_KEY}")
    if not authorization.startswith(STREAM_SIGNATURE_PREFIX):
        raise errors.Unauthenticated("authorization is not an Rpcsignature rpc0-stream signature")
    given = authorization[len(STREAM_SIGNATURE_PREFIX) :].encode()
    # Every secret is tried, so the time taken does not tell which one (if any) matched.
    calls = [sign_call(secret, full_method, timestamp, nonce) for secret in secrets]
    matching = [call for call in calls if hmac.compare_digest(given, call.signature.hex().encode())]
    if not matching:
        raise errors.Unauthenticated("request stream signature does not match")
    return FrameVerifier(matching[0])


@dataclass
class FrameVerifier:
    """Checks the frames of one call in order, expecting each at the next sequence number."""

    call: StreamCall
    sequence: int = 0
    ended: bool = False

    def open(self, frame: bytes) -> bytes | None:
        """The payload of the next frame, or None for the end frame.

        Raises ``errors.Unauthenticated`` when the frame is malformed, does not carry the MAC of the
        expected sequence number in this call (changed, reordered, dropped, repeated or taken from
        another call), or follows the end frame.
        """
        if self.ended:
            raise errors.Unauthenticated("request frame after the end of the stream")
        if len(frame) < FRAME_HEADER_BYTES:
            raise errors.Unauthenticated(f"request frame {self.sequence} is truncated")
        flag, mac, payload = frame[0], frame[1:FRAME_HEADER_BYTES], frame[FRAME_HEADER_BYTES:]
        if not hmac.compare_digest(mac, self.call.mac(self.sequence, flag, payload)):
            raise errors.Unauthenticated(
                f"request frame {self.sequence} does not match its signature"
            )
        if flag == END_FLAG and not payload:
            self.sequence += 1
            self.ended = True
            return None
        if flag != MESSAGE_FLAG:
            raise errors.Unauthenticated(f"request frame {self.sequence} is malformed")
        self.sequence += 1
        return payload

    def messages(self, frames: Iterable[bytes]) -> Iterator[bytes]:
        """The verified payloads of a whole request stream, each only once its frame checked out.

        Raises ``errors.Unauthenticated`` at the first bad frame, when the stream ends without its
        end frame, or when anything follows the end frame.
        """
        remaining = iter(frames)
        for frame in remaining:
            payload = self.open(frame)
            if payload is None:
                break
            yield payload
        else:
            raise errors.Unauthenticated("request stream ended without its end frame")
        for _extra in remaining:
            raise errors.Unauthenticated("request frame after the end of the stream")


def request_bytes(request: Message | bytes) -> bytes:
    """The bytes of one request message on the wire: a message serialized, bytes as they are."""
    return request if isinstance(request, bytes) else request.SerializeToString()


def stream_unary(
    channel: grpc.Channel, full_method: str, response_type: type[ResponseT]
) -> grpc.StreamUnaryMultiCallable[Message | bytes, ResponseT]:
    """A client-streaming callable for ``full_method``: call it with an iterator of messages.

    On a channel from ``open_channel`` the messages are framed and signed on their way out; the
    request serializer passes those frames through, which a generated stub's cannot.
    """
    return channel.stream_unary(
        full_method,
        request_serializer=request_bytes,
        response_deserializer=response_type.FromString,
    )


def stream_stream(
    channel: grpc.Channel, full_method: str, response_type: type[ResponseT]
) -> grpc.StreamStreamMultiCallable[Message | bytes, ResponseT]:
    """A bidirectional-streaming callable for ``full_method``; see ``stream_unary``."""
    return channel.stream_stream(
        full_method,
        request_serializer=request_bytes,
        response_deserializer=response_type.FromString,
    )
