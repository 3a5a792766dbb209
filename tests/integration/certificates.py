"""Certificates for TLS tests, made on the fly: a CA, a server certificate for 127.0.0.1 and
localhost, and client certificates (one from the CA, one from a stranger CA)."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shared.rpc.tls import TlsFiles


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    path: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def _write_certificate(certificate: x509.Certificate, path: Path) -> Path:
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def authority(directory: Path, name: str) -> Authority:
    """A self-signed CA, its certificate written to ``directory/name-ca.pem``."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{name} test CA"))
        .issuer_name(_name(f"{name} test CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return Authority(
        key, certificate, _write_certificate(certificate, directory / f"{name}-ca.pem")
    )


def issue(ca: Authority, directory: Path, name: str) -> tuple[Path, Path]:
    """A certificate signed by ``ca`` for 127.0.0.1 and localhost, usable by servers and
    clients alike; returns the certificate and key files."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return (
        _write_certificate(certificate, directory / f"{name}.pem"),
        _write_key(key, directory / f"{name}-key.pem"),
    )


@dataclass(frozen=True)
class Pki:
    """Files for one test: what a server, a client and a stranger present."""

    ca: Path
    server: TlsFiles
    client: TlsFiles
    stranger: TlsFiles


def make_pki(directory: Path) -> Pki:
    """A CA with a server and a client certificate, and a client certificate of another CA."""
    ca = authority(directory, "silo")
    server_cert, server_key = issue(ca, directory, "server")
    client_cert, client_key = issue(ca, directory, "client")
    other = authority(directory, "stranger")
    stranger_cert, stranger_key = issue(other, directory, "stranger")
    return Pki(
        ca=ca.path,
        server=TlsFiles(cert=server_cert, key=server_key, ca=ca.path),
        client=TlsFiles(cert=client_cert, key=client_key, ca=ca.path),
        stranger=TlsFiles(cert=stranger_cert, key=stranger_key, ca=ca.path),
    )
