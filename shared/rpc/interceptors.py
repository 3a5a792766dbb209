"""Names kept from when the server's plumbing ran as interceptors; it is now one wrapper per
method, built at registration (``shared.rpc.wrapping``)."""

from __future__ import annotations

from shared.rpc.wrapping import (
    REQUEST_ID_METADATA_KEY,
    UNSIGNED_SERVICE_PREFIXES,
    handler_kind,
    metadata_value,
    refusal,
)

__all__ = [
    "REQUEST_ID_METADATA_KEY",
    "UNSIGNED_SERVICE_PREFIXES",
    "handler_kind",
    "metadata_value",
    "refusal",
]
