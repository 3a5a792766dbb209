"""Imported organization auth tokens: a token without a hash, or whose hash is taken, is new."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from region_silo.db.models import OrganizationRow, OrgAuthTokenRow
from shared.db.bulk import batches, insert_keyed
from shared.db.types import utcnow
from shared.relocation.chunks import ChunkRow, MappedRow, MappingKind
from shared.relocation.fields import RowFields
from shared.relocation.findings import FindingKind
from shared.relocation.models import ORGANIZATION, PROJECT, USER
from shared.relocation.writer import ImportContext, chunk_failure

ORGAUTHTOKEN = "sentry.orgauthtoken"
SENTRY_ORG_AUTH_PREFIX = "sntrys_"
MAX_TOKEN_HASH_LENGTH = 128


def generate_token(organization_slug: str, url: str | None, region_url: str | None) -> str:
    """Sentry's organization token: ``sntrys_``, base64 of its JSON payload (issued at, URLs,
    organization slug), ``_``, and 32 random bytes in base64 without padding."""
    payload = {
        "iat": datetime.now(UTC).timestamp(),
        "url": url,
        "region_url": region_url,
        "org": organization_slug,
    }
    encoded = base64.b64encode(json.dumps(payload).encode("ascii")).decode("ascii")
    secret = base64.b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")
    return f"{SENTRY_ORG_AUTH_PREFIX}{encoded}_{secret}"


def hash_token(token: str) -> str:
    """What is stored of a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def _values(context: ImportContext, fields: RowFields) -> dict[str, Any]:
    return {
        "organization_id": context.key(fields, "organization_id", ORGANIZATION),
        "token_hashed": fields.text(
            "token_hashed", max_length=MAX_TOKEN_HASH_LENGTH, required=False
        ),
        "token_last_characters": fields.optional_text("token_last_characters", max_length=4),
        "name": fields.text("name", max_length=255),
        "scope_list": json.dumps(fields.string_list("scope_list")),
        "created_by_id": context.optional_key(fields, "created_by", USER, null_when_missing=True),
        "date_added": fields.time("date_added", default=utcnow()),
        "date_last_used": fields.optional_time("date_last_used"),
        "project_last_used_id": context.optional_key(
            fields, "project_last_used_id", PROJECT, null_when_missing=True
        ),
        "date_deactivated": fields.optional_time("date_deactivated"),
    }


def import_org_auth_tokens(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.orgauthtoken`` (the import's last model): a token whose hash is
    empty or held already (by another token, or an earlier row) gets a new token naming the
    organization's final slug here, as Sentry regenerates it. Only the hash and the last four
    characters of a token are kept."""
    values = [_values(context, RowFields(ORGAUTHTOKEN, row)) for row in rows]
    session = context.uow.session
    held: set[str] = set()
    for batch in batches(sorted({v["token_hashed"] for v in values if v["token_hashed"]})):
        held.update(
            session.scalars(
                select(OrgAuthTokenRow.token_hashed).where(OrgAuthTokenRow.token_hashed.in_(batch))
            )
        )
    slugs: dict[int, str] = {}
    for batch in batches(sorted({value["organization_id"] for value in values})):
        query = select(OrganizationRow.id, OrganizationRow.slug).where(
            OrganizationRow.id.in_(batch)
        )
        slugs.update((organization_id, slug) for organization_id, slug in session.execute(query))
    for row, value in zip(rows, values, strict=True):
        if value["token_hashed"] and value["token_hashed"] not in held:
            held.add(value["token_hashed"])
            continue
        slug = slugs.get(value["organization_id"])
        if slug is None:
            raise chunk_failure(
                FindingKind.INTEGRITY_ERROR,
                context.header,
                f"organization {value['organization_id']} is not in this region",
                row,
            )
        # Sentry writes its web URLs into the payload; Silo serves none, so they are null.
        token = generate_token(slug, url=None, region_url=None)
        value.update(token_hashed=hash_token(token), token_last_characters=token[-4:])
        held.add(value["token_hashed"])
    ids = insert_keyed(
        session,
        OrgAuthTokenRow,
        values,
        lambda returned: returned.token_hashed,
        OrgAuthTokenRow.token_hashed,
    )
    return [
        MappedRow(row.pk, ids[value["token_hashed"]], MappingKind.INSERTED)
        for row, value in zip(rows, values, strict=True)
    ]
