"""`silo backup encrypt` and `silo backup decrypt`: Sentry's tar both ways, the same bytes back,
and every failure a non-zero exit with a clear message and no output file."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP

from shared.cli import cli
from tests.relocation.conftest import FIXTURES, email, record, user, useremail, write_export

OAEP_SHA256 = OAEP(mgf=MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
PLAIN_FIXTURES = sorted(
    path.name for path in FIXTURES.glob("*.json") if path.name != "model_dependencies-sorted.json"
)


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture
def keys(tmp_path: Path, private_key: rsa.RSAPrivateKey) -> tuple[Path, Path]:
    """(private key PEM, public key PEM) files."""
    private = tmp_path / "key.pem"
    private.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = tmp_path / "key.pub"
    public.write_bytes(_public_pem(private_key))
    return private, public


def backup(*arguments: str | Path) -> Result:
    return CliRunner().invoke(cli, ["backup", *map(str, arguments)], catch_exceptions=False)


def sentry_tar(members: list[tuple[str, bytes]]) -> bytes:
    """A tar as Sentry's `create_encrypted_export_tarball` writes one."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def sentry_members(export: object, key: rsa.RSAPrivateKey) -> list[tuple[str, bytes]]:
    """Sentry's three members for ``export``: its JSON re-serialized and encrypted with a fresh
    Fernet key, that key wrapped with RSA-OAEP-SHA256, and the public key."""
    fernet_key = Fernet.generate_key()
    return [
        ("export.json", Fernet(fernet_key).encrypt(json.dumps(export).encode())),
        ("data.key", key.public_key().encrypt(fernet_key, OAEP_SHA256)),
        ("key.pub", _public_pem(key)),
    ]


def sample_export(path: Path) -> Path:
    return write_export(
        path,
        [
            user(1, "alice"),
            user(2, "bob", name="Bøb ✓"),
            email(1, "alice@example.com"),
            useremail(1, 1, "alice@example.com"),
            useremail(2, 2, "bob@example.com"),
            record("organization", 1, name="Acme", slug="acme", status=0),
        ],
    )


def directory_listing(path: Path) -> list[str]:
    return sorted(entry.name for entry in path.iterdir())


def test_encrypt_then_decrypt_gives_the_same_bytes(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    private, public = keys
    source = sample_export(tmp_path / "export.json")
    encrypted = backup(
        "encrypt", tmp_path / "export.tar", "--src", source, "--encrypt-with", public
    )
    assert encrypted.exit_code == 0, encrypted.output
    decrypted = backup(
        "decrypt",
        tmp_path / "back.json",
        "--src",
        tmp_path / "export.tar",
        "--decrypt-with",
        private,
    )
    assert decrypted.exit_code == 0, decrypted.output
    assert (tmp_path / "back.json").read_bytes() == source.read_bytes()
    assert not [name for name in directory_listing(tmp_path) if name.endswith(".partial")]


@pytest.mark.skipif(not PLAIN_FIXTURES, reason="Sentry's fixtures are not present")
@pytest.mark.parametrize("fixture", PLAIN_FIXTURES)
def test_fixtures_encrypt_and_decrypt_to_the_same_bytes(
    tmp_path: Path, keys: tuple[Path, Path], fixture: str
) -> None:
    private, public = keys
    tar, back = tmp_path / "export.tar", tmp_path / "back.json"
    assert (
        backup("encrypt", tar, "--src", FIXTURES / fixture, "--encrypt-with", public).exit_code == 0
    )
    assert backup("decrypt", back, "--src", tar, "--decrypt-with", private).exit_code == 0
    assert back.read_bytes() == (FIXTURES / fixture).read_bytes()


def test_sentry_reads_what_silo_encrypts(
    tmp_path: Path, keys: tuple[Path, Path], private_key: rsa.RSAPrivateKey
) -> None:
    _, public = keys
    source = sample_export(tmp_path / "export.json")
    backup("encrypt", tmp_path / "export.tar", "--src", source, "--encrypt-with", public)
    # What Sentry's `decrypt_encrypted_tarball` does: unwrap data.key, then Fernet-decrypt.
    with tarfile.open(tmp_path / "export.tar") as archive:
        assert archive.getnames() == ["export.json", "data.key", "key.pub"]
        members = {name: archive.extractfile(name).read() for name in archive.getnames()}  # type: ignore[union-attr]
    assert members["key.pub"] == public.read_bytes()
    fernet_key = private_key.decrypt(members["data.key"], OAEP_SHA256)
    assert json.loads(Fernet(fernet_key).decrypt(members["export.json"])) == json.loads(
        source.read_text()
    )


@pytest.mark.skipif(not PLAIN_FIXTURES, reason="Sentry's fixtures are not present")
@pytest.mark.parametrize("fixture", PLAIN_FIXTURES)
def test_decrypts_what_sentry_encrypts_to_the_fixture(
    tmp_path: Path, keys: tuple[Path, Path], private_key: rsa.RSAPrivateKey, fixture: str
) -> None:
    private, _ = keys
    plain = json.loads((FIXTURES / fixture).read_text())
    tar = tmp_path / "sentry.tar"
    tar.write_bytes(sentry_tar(sentry_members(plain, private_key)))
    result = backup("decrypt", tmp_path / "out.json", "--src", tar, "--decrypt-with", private)
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out.json").read_text()) == plain


SENTRY_TARS = sorted(FIXTURES.glob("*.tar"))


@pytest.mark.skipif(not SENTRY_TARS, reason="no encrypted tars among Sentry's fixtures")
@pytest.mark.parametrize("tar", SENTRY_TARS, ids=lambda path: path.name)
def test_decrypts_sentrys_own_tars(tmp_path: Path, tar: Path) -> None:
    """A tar Sentry wrote, beside the private key (same stem, ``.pem``) and the plain export
    (same stem, ``.json``) it holds."""
    result = backup(
        "decrypt", tmp_path / "out.json", "--src", tar, "--decrypt-with", tar.with_suffix(".pem")
    )
    assert result.exit_code == 0, result.output
    expected = json.loads(tar.with_suffix(".json").read_text())
    assert json.loads((tmp_path / "out.json").read_text()) == expected


def _another_key_pub(members: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return [*members[:2], ("key.pub", _public_pem(other))]


def _corrupt_token(members: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    name, token = members[0]
    middle = len(token) // 2
    swapped = b"A" if token[middle : middle + 1] != b"A" else b"B"
    return [(name, token[:middle] + swapped + token[middle + 1 :]), *members[1:]]


DAMAGED = {
    "key.pub of another key": (_another_key_pub, "public key does not match"),
    "a missing data.key": (lambda m: [m[0], m[2]], "lacks data.key"),
    "a missing export.json": (lambda m: m[1:], "lacks export.json"),
    "a corrupt token": (_corrupt_token, "altered or truncated"),
    "an extra member": (lambda m: [*m, ("notes.txt", b"x")], "unexpected member 'notes.txt'"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGED))
def test_a_damaged_tar_exits_non_zero_and_writes_nothing(
    tmp_path: Path, keys: tuple[Path, Path], private_key: rsa.RSAPrivateKey, damage: str
) -> None:
    private, _ = keys
    change, message = DAMAGED[damage]
    tar = tmp_path / "export.tar"
    tar.write_bytes(sentry_tar(change(sentry_members([{"x": 1}] * 300, private_key))))
    before = directory_listing(tmp_path)
    result = backup("decrypt", tmp_path / "out.json", "--src", tar, "--decrypt-with", private)
    assert result.exit_code == 2
    assert message in result.stderr
    assert directory_listing(tmp_path) == before


def test_the_wrong_private_key_exits_non_zero_and_keeps_the_old_output(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    _, public = keys
    source = sample_export(tmp_path / "export.json")
    backup("encrypt", tmp_path / "export.tar", "--src", source, "--encrypt-with", public)
    other = tmp_path / "other.pem"
    other.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    (tmp_path / "out.json").write_text("an earlier file")
    before = directory_listing(tmp_path)
    result = backup(
        "decrypt", tmp_path / "out.json", "--src", tmp_path / "export.tar", "--decrypt-with", other
    )
    assert result.exit_code == 2
    assert "The public key does not match" in result.stderr
    assert (tmp_path / "out.json").read_text() == "an earlier file"
    assert directory_listing(tmp_path) == before


def test_unreadable_keys_exit_non_zero_and_write_nothing(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    private, public = keys
    source = sample_export(tmp_path / "export.json")
    backup("encrypt", tmp_path / "export.tar", "--src", source, "--encrypt-with", public)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN NOTHING-----\n")
    before = directory_listing(tmp_path)

    encrypted = backup("encrypt", tmp_path / "x.tar", "--src", source, "--encrypt-with", garbage)
    assert encrypted.exit_code == 2
    assert "not a readable PEM public key" in encrypted.stderr
    # A private key where a public one belongs, and the other way round.
    swapped = backup("encrypt", tmp_path / "x.tar", "--src", source, "--encrypt-with", private)
    assert swapped.exit_code == 2
    assert "not a readable PEM public key" in swapped.stderr
    decrypted = backup(
        "decrypt", tmp_path / "x.json", "--src", tmp_path / "export.tar", "--decrypt-with", public
    )
    assert decrypted.exit_code == 2
    assert "not a readable PEM private key" in decrypted.stderr
    assert directory_listing(tmp_path) == before


def test_an_unwritable_destination_exits_non_zero(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    private, public = keys
    source = sample_export(tmp_path / "export.json")
    backup("encrypt", tmp_path / "export.tar", "--src", source, "--encrypt-with", public)
    # A path under a regular file: no directory to write in, whoever runs the test.
    blocked = tmp_path / "export.json" / "out"
    encrypted = backup("encrypt", blocked, "--src", source, "--encrypt-with", public)
    assert encrypted.exit_code == 2
    assert "cannot write to" in encrypted.stderr
    decrypted = backup(
        "decrypt", blocked, "--src", tmp_path / "export.tar", "--decrypt-with", private
    )
    assert decrypted.exit_code == 2
    assert "cannot write to" in decrypted.stderr


def test_only_exports_are_encrypted_and_only_tars_decrypted(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    private, public = keys
    not_json = tmp_path / "notes.txt"
    not_json.write_text("hello")
    truncated = tmp_path / "truncated.json"
    truncated.write_text(sample_export(tmp_path / "export.json").read_text()[:-40])
    before = directory_listing(tmp_path)
    for source, message in ((not_json, "not a JSON array"), (truncated, "ends early")):
        result = backup("encrypt", tmp_path / "x.tar", "--src", source, "--encrypt-with", public)
        assert result.exit_code == 2
        assert message in result.stderr
    plain = backup(
        "decrypt", tmp_path / "x.json", "--src", tmp_path / "export.json", "--decrypt-with", private
    )
    assert plain.exit_code == 2
    assert "is not an encrypted tar" in plain.stderr
    assert directory_listing(tmp_path) == before
