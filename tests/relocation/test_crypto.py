"""Sentry's encrypted tar, read and written as streams: byte-compatible both ways, and every
damaged tar refused before any plaintext is handed on."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP

from shared.relocation import crypto
from shared.relocation.findings import RelocationError

OAEP_SHA256 = OAEP(mgf=MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def public_key_file(tmp_path: Path, private_key: rsa.RSAPrivateKey) -> Path:
    path = tmp_path / "key.pub"
    path.write_bytes(crypto.public_key_pem(private_key))
    return path


def sentry_tar(members: list[tuple[str, bytes]]) -> bytes:
    """A tar as Sentry's exporter writes one: each member in the given order."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def sentry_members(plaintext: bytes, key: rsa.RSAPrivateKey) -> list[tuple[str, bytes]]:
    fernet_key = Fernet.generate_key()
    return [
        ("export.json", Fernet(fernet_key).encrypt(plaintext)),
        ("data.key", key.public_key().encrypt(fernet_key, OAEP_SHA256)),
        ("key.pub", crypto.public_key_pem(key)),
    ]


def read_all(path: Path, key: rsa.RSAPrivateKey) -> bytes:
    with crypto.decrypted(path, key) as stream:
        return stream.read()


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 48, 200_003])
def test_reads_what_sentry_writes(
    tmp_path: Path, private_key: rsa.RSAPrivateKey, size: int
) -> None:
    plaintext = b'[{"model": "sentry.user"}]' + b" " * size
    path = tmp_path / "export.tar"
    path.write_bytes(sentry_tar(sentry_members(plaintext, private_key)))
    assert crypto.is_tar(path)
    assert read_all(path, private_key) == plaintext


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 48, 200_003])
def test_sentry_reads_what_silo_writes(
    tmp_path: Path, private_key: rsa.RSAPrivateKey, public_key_file: Path, size: int
) -> None:
    plaintext = b"[" + b"1," * size + b"0]"
    source = tmp_path / "export.json"
    source.write_bytes(plaintext)
    with (tmp_path / "export.tar").open("wb") as destination:
        crypto.encrypt(source, public_key_file, destination)
    with tarfile.open(tmp_path / "export.tar") as archive:
        assert archive.getnames() == ["export.json", "data.key", "key.pub"]
        token = archive.extractfile("export.json").read()  # type: ignore[union-attr]
        wrapped = archive.extractfile("data.key").read()  # type: ignore[union-attr]
        assert archive.extractfile("key.pub").read() == public_key_file.read_bytes()  # type: ignore[union-attr]
    fernet_key = private_key.decrypt(wrapped, OAEP_SHA256)
    assert Fernet(fernet_key).decrypt(token) == plaintext
    assert read_all(tmp_path / "export.tar", private_key) == plaintext


def _flip_last_token_byte(members: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    name, token = members[0]
    # A base64 character from the middle of the ciphertext, replaced by another valid one.
    middle = len(token) // 2
    swapped = b"A" if token[middle : middle + 1] != b"A" else b"B"
    return [(name, token[:middle] + swapped + token[middle + 1 :]), *members[1:]]


Damage = Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]]
DAMAGES: dict[str, tuple[Damage, str]] = {
    "a changed token byte": (_flip_last_token_byte, "altered or truncated"),
    "a token cut mid-block": (
        lambda m: [(m[0][0], m[0][1][:-8]), *m[1:]],
        r"not a Fernet token \(wrong length\)",
    ),
    "a token cut by whole blocks": (
        # 64 base64 characters are 48 bytes: three AES blocks, so only the HMAC can tell.
        lambda m: [(m[0][0], m[0][1][:-96] + m[0][1][-32:]), *m[1:]],
        "altered or truncated",
    ),
    "a missing member": (lambda m: m[:2], "lacks key.pub"),
    "an extra member": (lambda m: [*m, ("notes.txt", b"hi")], "unexpected member"),
    "another key.pub": (
        lambda m: [
            *m[:2],
            (
                "key.pub",
                crypto.public_key_pem(
                    rsa.generate_private_key(public_exponent=65537, key_size=2048)
                ),
            ),
        ],
        "public key does not match",
    ),
    "a corrupt data.key": (
        lambda m: [m[0], ("data.key", b"\x00" * 256), m[2]],
        "data.key does not decrypt",
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_damaged_tars_are_refused(
    tmp_path: Path, private_key: rsa.RSAPrivateKey, damage: str
) -> None:
    change, reason = DAMAGES[damage]
    path = tmp_path / "export.tar"
    path.write_bytes(sentry_tar(change(sentry_members(b"[]" + b" " * 5000, private_key))))
    with pytest.raises(RelocationError, match=reason):
        read_all(path, private_key)


def test_the_wrong_private_key_is_refused(tmp_path: Path, private_key: rsa.RSAPrivateKey) -> None:
    path = tmp_path / "export.tar"
    path.write_bytes(sentry_tar(sentry_members(b"[]", private_key)))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(RelocationError, match="public key does not match"):
        read_all(path, other)


def test_plain_json_is_not_a_tar(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text("[]" + " " * 600)
    assert not crypto.is_tar(path)


def test_key_files_that_are_not_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text("not a key")
    with pytest.raises(RelocationError, match="not a readable PEM private key"):
        crypto.load_private_key(path)
    with pytest.raises(RelocationError, match="not a readable PEM public key"):
        crypto.load_public_key(path)


def test_private_key_round_trip(tmp_path: Path, private_key: rsa.RSAPrivateKey) -> None:
    path = tmp_path / "key.pem"
    path.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    assert crypto.public_key_pem(crypto.load_private_key(path)) == crypto.public_key_pem(
        private_key
    )
