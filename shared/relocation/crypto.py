"""Sentry's encrypted export tar, read and written as streams.

The tar holds ``export.json`` (a Fernet token of the JSON), ``data.key`` (the Fernet key wrapped
with RSA-OAEP-SHA256) and ``key.pub`` (the PEM public key). A Fernet token is
``0x80 | timestamp(8) | iv(16) | AES-128-CBC ciphertext | HMAC-SHA256(32)`` in URL-safe base64.
Reading takes two passes over the token: the first checks the HMAC of the whole token, the second
decrypts, so no plaintext is ever parsed before the token is known to be intact, and neither pass
holds the file in memory.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import io
import os
import struct
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from hashlib import sha256
from pathlib import Path
from typing import IO, BinaryIO

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from shared.relocation.findings import Finding, FindingKind, RelocationError

EXPORT_MEMBER = "export.json"
KEY_MEMBER = "data.key"
PUBLIC_KEY_MEMBER = "key.pub"
MEMBERS = (EXPORT_MEMBER, KEY_MEMBER, PUBLIC_KEY_MEMBER)

_VERSION = 0x80
_HEADER = 1 + 8 + 16
_MAC = 32
_BLOCK = 16
_READ = 1 << 16  # base64 characters per read: a multiple of 4


def _oaep() -> OAEP:
    return OAEP(mgf=MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def _refuse(reason: str) -> RelocationError:
    return RelocationError(Finding(FindingKind.DESERIALIZATION_FAILED, reason))


def is_tar(path: Path) -> bool:
    """Whether ``path`` is a tar archive (an encrypted export) rather than plain JSON."""
    with path.open("rb") as file:
        file.seek(257)
        return file.read(5) == b"ustar"


def public_key_pem(private_key: rsa.RSAPrivateKey) -> bytes:
    """The PEM SubjectPublicKeyInfo of a private key's public half, as Sentry writes ``key.pub``."""
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private_key(path: Path) -> rsa.RSAPrivateKey:
    """The RSA private key in a PEM file; a ``RelocationError`` when it is not one."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise _refuse(f"{path} is not a readable PEM private key ({error})") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise _refuse(f"{path} is not an RSA private key")
    return key


def load_public_key(path: Path) -> tuple[rsa.RSAPublicKey, bytes]:
    """The RSA public key in a PEM file, and the file's bytes."""
    try:
        pem = path.read_bytes()
        key = serialization.load_pem_public_key(pem)
    except (OSError, ValueError) as error:
        raise _refuse(f"{path} is not a readable PEM public key ({error})") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise _refuse(f"{path} is not an RSA public key")
    return key, pem


def _decoded(token: IO[bytes], size: int) -> Iterator[bytes]:
    """The bytes a base64 token of ``size`` characters decodes to, chunk by chunk."""
    left = size
    while left > 0:
        text = token.read(min(_READ, left))
        if not text:
            raise _refuse("export.json ends before its declared size")
        left -= len(text)
        if left > 0 and len(text) % 4:
            more = token.read(4 - len(text) % 4)
            left -= len(more)
            text += more
        try:
            yield base64.urlsafe_b64decode(text.strip())
        except (binascii.Error, ValueError):
            raise _refuse("export.json is not a Fernet token (bad base64)") from None


def _verify(token: IO[bytes], size: int, signing_key: bytes) -> None:
    mac = hmac.new(signing_key, digestmod=sha256)
    tail = b""
    total = 0
    for chunk in _decoded(token, size):
        total += len(chunk)
        tail += chunk
        if len(tail) > _MAC:
            mac.update(tail[:-_MAC])
            tail = tail[-_MAC:]
    if total < _HEADER + _BLOCK + _MAC or (total - _HEADER - _MAC) % _BLOCK:
        raise _refuse("export.json is not a Fernet token (wrong length)")
    if not hmac.compare_digest(mac.digest(), tail):
        raise _refuse("export.json does not match its key: the token was altered or truncated")


def _plaintext(token: IO[bytes], size: int, encryption_key: bytes) -> Iterator[bytes]:
    header = b""
    body = b""
    decryptor = None
    unpadder = padding.PKCS7(128).unpadder()
    for decoded in _decoded(token, size):
        chunk = decoded
        if decryptor is None:
            header += chunk
            if len(header) < _HEADER:
                continue
            if header[0] != _VERSION:
                raise _refuse("export.json is not a Fernet token (unknown version)")
            iv = header[9:_HEADER]
            decryptor = Cipher(algorithms.AES(encryption_key), modes.CBC(iv)).decryptor()
            chunk = header[_HEADER:]
        body += chunk
        # Hold back the MAC; decrypt whole blocks only.
        ready = (len(body) - _MAC) // _BLOCK * _BLOCK
        if ready > 0:
            yield unpadder.update(decryptor.update(body[:ready]))
            body = body[ready:]
    if decryptor is None:
        raise _refuse("export.json is not a Fernet token (too short)")
    try:
        yield unpadder.update(decryptor.finalize()) + unpadder.finalize()
    except ValueError:
        raise _refuse("export.json does not decrypt (bad padding)") from None


class _ChunkReader(io.RawIOBase):
    """A read-only byte stream over an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _members(archive: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    members: dict[str, tarfile.TarInfo] = {}
    for member in archive.getmembers():
        if member.name not in MEMBERS:
            raise _refuse(f"the tar holds an unexpected member {member.name!r}")
        if not member.isfile():
            raise _refuse(f"the tar member {member.name!r} is not a file")
        members[member.name] = member
    missing = [name for name in MEMBERS if name not in members]
    if missing:
        raise _refuse(f"the tar lacks {', '.join(missing)}")
    return members


def _extract(archive: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    file = archive.extractfile(member)
    if file is None:
        raise _refuse(f"the tar member {member.name!r} is not a file")
    return file


@contextmanager
def decrypted(path: Path, private_key: rsa.RSAPrivateKey) -> Iterator[BinaryIO]:
    """The plaintext JSON of an encrypted export, as a stream, after the whole token's HMAC is
    checked. Raises ``RelocationError`` for a key that does not match ``key.pub``, a missing or
    extra member, or a token that was altered or truncated."""
    try:
        archive = tarfile.open(path, mode="r:")  # noqa: SIM115 - closed by the `with` below
    except (OSError, tarfile.TarError) as error:
        raise _refuse(f"{path} is not a readable tar ({error})") from None
    with archive:
        members = _members(archive)

        def member_bytes(name: str) -> bytes:
            return _extract(archive, members[name]).read()

        if member_bytes(PUBLIC_KEY_MEMBER) != public_key_pem(private_key):
            raise _refuse(
                "The public key does not match that generated by the `decrypt_with` private key."
            )
        try:
            fernet_key = base64.urlsafe_b64decode(
                private_key.decrypt(member_bytes(KEY_MEMBER), _oaep())
            )
        except (ValueError, binascii.Error):
            raise _refuse("data.key does not decrypt with the given private key") from None
        if len(fernet_key) != 32:
            raise _refuse("data.key does not hold a Fernet key")
        token = members[EXPORT_MEMBER]

        _verify(_extract(archive, token), token.size, fernet_key[:16])
        plaintext = _plaintext(_extract(archive, token), token.size, fernet_key[16:])
        with io.BufferedReader(_ChunkReader(plaintext)) as stream:
            yield stream


def _token_chunks(plaintext: IO[bytes], key: bytes, iv: bytes, stamp: int) -> Iterator[bytes]:
    mac = hmac.new(key[:16], digestmod=sha256)
    encryptor = Cipher(algorithms.AES(key[16:]), modes.CBC(iv)).encryptor()
    padder = padding.PKCS7(128).padder()
    header = struct.pack(">BQ", _VERSION, stamp) + iv
    mac.update(header)
    pending = header
    while block := plaintext.read(_READ):
        cipher = encryptor.update(padder.update(block))
        mac.update(cipher)
        pending += cipher
        ready = len(pending) // 3 * 3
        yield base64.urlsafe_b64encode(pending[:ready])
        pending = pending[ready:]
    cipher = encryptor.update(padder.finalize()) + encryptor.finalize()
    mac.update(cipher)
    yield base64.urlsafe_b64encode(pending + cipher + mac.digest())


def token_length(plaintext_size: int) -> int:
    """How many base64 characters the Fernet token of ``plaintext_size`` bytes takes."""
    raw = _HEADER + (plaintext_size // _BLOCK + 1) * _BLOCK + _MAC
    return 4 * ((raw + 2) // 3)


def encrypt(plaintext: Path, public_key: Path, destination: IO[bytes]) -> None:
    """Writes Sentry's encrypted tar of the JSON file ``plaintext`` for ``public_key``."""
    rsa_key, pem = load_public_key(public_key)
    fernet_key = base64.urlsafe_b64encode(os.urandom(32))
    wrapped = rsa_key.encrypt(fernet_key, _oaep())
    key = base64.urlsafe_b64decode(fernet_key)
    size = plaintext.stat().st_size
    # A stream ("w|"): the destination may be a pipe, which cannot tell or seek.
    with tarfile.open(fileobj=destination, mode="w|") as archive, plaintext.open("rb") as source:
        info = tarfile.TarInfo(EXPORT_MEMBER)
        info.size = token_length(size)
        chunks = _token_chunks(source, key, os.urandom(16), int(time.time()))
        archive.addfile(info, io.BufferedReader(_ChunkReader(chunks)))
        for name, data in ((KEY_MEMBER, wrapped), (PUBLIC_KEY_MEMBER, pem)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
