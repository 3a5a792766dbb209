"""TLS for servers and channels, from PEM files: a server presents its certificate and, given a
CA, requires clients to present one it signed (mutual TLS); a channel trusts the CA (else the
system's roots) and presents its own certificate when it has one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import grpc


@dataclass(frozen=True)
class TlsFiles:
    """PEM files of one process: its certificate chain and key, and the CA it trusts."""

    cert: Path | None = None
    key: Path | None = None
    ca: Path | None = None

    def __post_init__(self) -> None:
        if (self.cert is None) != (self.key is None):
            raise ValueError("SILO_TLS_CERT and SILO_TLS_KEY go together: give both or neither")

    @property
    def serves_tls(self) -> bool:
        """Whether a server of this process listens with TLS (it has a certificate and key)."""
        return self.cert is not None

    @property
    def calls_tls(self) -> bool:
        """Whether this process's channels use TLS (it has a CA or a certificate)."""
        return self.ca is not None or self.cert is not None

    def _read(self, path: Path | None) -> bytes | None:
        try:
            return path.read_bytes() if path is not None else None
        except OSError as error:
            raise OSError(f"cannot read the TLS file {path}: {error.strerror}") from None

    def server_credentials(self) -> grpc.ServerCredentials | None:
        """Credentials for a server, or None without a certificate; with a CA, client
        certificates it signed are required."""
        chain, key, ca = self._read(self.cert), self._read(self.key), self._read(self.ca)
        if chain is None or key is None:
            return None
        return grpc.ssl_server_credentials(
            [(key, chain)], root_certificates=ca, require_client_auth=ca is not None
        )

    def channel_credentials(self) -> grpc.ChannelCredentials | None:
        """Credentials for a channel, or None when this process calls without TLS."""
        if not self.calls_tls:
            return None
        return grpc.ssl_channel_credentials(
            root_certificates=self._read(self.ca),
            private_key=self._read(self.key),
            certificate_chain=self._read(self.cert),
        )


NO_TLS = TlsFiles()
