"""Importing what only full restores carry (global scope): single sign-on providers and
identities, second factors and known IP addresses, so a restored user keeps every factor."""

from __future__ import annotations

import ipaddress
from typing import Any

from control_silo.db.models import AuthenticatorRow, AuthIdentityRow, AuthProviderRow, UserIPRow
from shared.db.types import utcnow
from shared.relocation.chunks import ChunkRow, MappedRow
from shared.relocation.fields import RowFields
from shared.relocation.inserts import insert_by_key
from shared.relocation.models import ORGANIZATION, USER
from shared.relocation.scopes import ImportScope
from shared.relocation.writer import ImportContext

AUTHPROVIDER = "sentry.authprovider"
AUTHIDENTITY = "sentry.authidentity"
AUTHENTICATOR = "sentry.authenticator"
USERIP = "sentry.userip"


def _ip_address(fields: RowFields) -> str:
    text = fields.text("ip_address", max_length=45)
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise fields.invalid("ip_address", f"{text[:45]!r} is not an IP address") from None


def import_auth_providers(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.authprovider`` (one provider per organization)."""
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(AUTHPROVIDER, row)
        values.append(
            {
                "organization_id": context.key(fields, "organization_id", ORGANIZATION),
                "provider": fields.text("provider", max_length=128),
                "config": fields.json_object("config"),
                "date_added": fields.time("date_added", default=utcnow()),
                "sync_time": fields.optional_integer("sync_time"),
                "last_sync": fields.optional_time("last_sync"),
                "default_role": fields.integer("default_role", default=50),
                "default_global_access": fields.boolean("default_global_access", default=True),
                "flags": fields.integer("flags", default=0),
            }
        )
    return insert_by_key(context, AuthProviderRow, rows, values, ("organization_id",))


def import_auth_identities(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.authidentity``."""
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(AUTHIDENTITY, row)
        values.append(
            {
                "user_id": context.key(fields, "user", USER),
                "auth_provider_id": context.key(fields, "auth_provider", AUTHPROVIDER),
                "ident": fields.text("ident", max_length=128),
                "data": fields.json_object("data"),
                "last_verified": fields.time("last_verified", default=utcnow()),
                "last_synced": fields.time("last_synced", default=utcnow()),
                "date_added": fields.time("date_added", default=utcnow()),
            }
        )
    return insert_by_key(context, AuthIdentityRow, rows, values, ("auth_provider_id", "ident"))


def import_authenticators(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.authenticator``; the configuration is kept verbatim."""
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(AUTHENTICATOR, row)
        config = row.fields.get("config", "")
        values.append(
            {
                "user_id": context.key(fields, "user", USER),
                "type": fields.integer("type"),
                "config": config if isinstance(config, str) else fields.json_text("config"),
                "created_at": fields.time("created_at", default=utcnow()),
                "last_used_at": fields.optional_time("last_used_at"),
            }
        )
    return insert_by_key(context, AuthenticatorRow, rows, values, ("user_id", "type"))


def import_user_ips(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.userip``; locations are dropped (they are looked up again), and
    outside global imports the first and last sighting are now."""
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(USERIP, row)
        value = {
            "user_id": context.key(fields, "user", USER),
            "ip_address": _ip_address(fields),
            "country_code": None,
            "region_code": None,
            "first_seen": fields.time("first_seen", default=utcnow()),
            "last_seen": fields.time("last_seen", default=utcnow()),
        }
        if context.header.scope is not ImportScope.GLOBAL:
            value.update(first_seen=utcnow(), last_seen=utcnow())
        values.append(value)
    return insert_by_key(context, UserIPRow, rows, values, ("user_id", "ip_address"))
