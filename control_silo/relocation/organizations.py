"""Organizations a region imports: their ids, and slugs made unique against every region's."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import OrganizationMappingRow, OrganizationSlugReservationRow
from control_silo.writes.provisioning import (
    Provision,
    allocate_organization_ids,
    record_provisions,
)
from shared.db.bulk import batches
from shared.relocation.chunks import ChunkRow, MappedRow, MappingKind
from shared.relocation.fields import RowFields
from shared.relocation.findings import FindingKind
from shared.relocation.models import ORGANIZATION
from shared.relocation.writer import ImportContext, chunk_failure
from shared.services.organization.model import MAX_ORGANIZATION_NAME_LENGTH
from shared.slugs import (
    MAX_SLUG_LENGTH,
    RESERVED_ORGANIZATION_SLUGS,
    imported_organization_slug,
    unique_slug,
)

# A region importing at the same time may win a slug between resolving and inserting; the losing
# chunk resolves again against what the winner committed.
RESOLVE_ATTEMPTS = 5
MAX_REGION_NAME_LENGTH = 48


def _held(session: Session, slugs: Iterable[str]) -> set[str]:
    # Every reservation and mapping holds a lower-case slug (shared.slugs.organization_slug and
    # imports lower-case them), so comparing lower-case candidates exactly is Sentry's
    # case-insensitive check, and it uses the unique indexes.
    held: set[str] = set()
    for batch in batches(sorted(set(slugs))):
        for column in (OrganizationSlugReservationRow.slug, OrganizationMappingRow.slug):
            held.update(session.scalars(select(column).where(column.in_(batch))))
    return held


def resolve_slugs(session: Session, wanted: list[str]) -> list[str]:
    """The slug each imported organization gets, in order: Sentry's import slug of what it asked
    for, a random one when that is reserved or empty, a random suffix when any region's
    organization holds it (or an earlier one of ``wanted`` got it)."""
    bases = [imported_organization_slug(slug) for slug in wanted]
    looked_up = set(bases)
    held = _held(session, looked_up)
    chosen: set[str] = set()

    def taken(slug: str) -> bool:
        if slug not in looked_up:
            looked_up.add(slug)
            held.update(_held(session, [slug]))
        return slug in held or slug in chosen

    resolved: list[str] = []
    for base in bases:
        slug = unique_slug(base, taken, reserved=RESERVED_ORGANIZATION_SLUGS)
        chosen.add(slug)
        resolved.append(slug)
    return resolved


def import_organizations(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a region's chunk of ``sentry.organization`` (fields ``slug``, ``name``,
    ``region_name``): for each organization an id, a primary reservation of its final slug
    (without an owner) and an unverified mapping to the region, with the reservation messages.
    Each row maps to the new id with the final slug as ``renamed_to``."""
    if not rows:
        return []
    session = context.uow.session
    wanted: list[tuple[str, str]] = []
    region_name = ""
    for row in rows:
        fields = RowFields(ORGANIZATION, row)
        slug = fields.text("slug", max_length=MAX_SLUG_LENGTH, required=False)
        name = fields.text("name", max_length=MAX_ORGANIZATION_NAME_LENGTH)
        region = fields.text("region_name", max_length=MAX_REGION_NAME_LENGTH)
        if not region:
            raise fields.invalid("region_name", "is required")
        if region_name and region != region_name:
            raise fields.invalid("region_name", "every organization of a chunk is in one region")
        region_name = region
        wanted.append((slug, name))
    ids = allocate_organization_ids(session, region_name, len(rows))
    attempt = 1
    while True:
        slugs = resolve_slugs(session, [slug for slug, _ in wanted])
        try:
            record_provisions(
                context.uow,
                region_name,
                [
                    (organization_id, Provision(slug, name))
                    for organization_id, slug, (_, name) in zip(ids, slugs, wanted, strict=True)
                ],
            )
            break
        except IntegrityError as error:
            if attempt == RESOLVE_ATTEMPTS:
                raise chunk_failure(
                    FindingKind.INTEGRITY_ERROR,
                    context.header,
                    f"slugs kept being taken by other imports: {error.orig}",
                ) from None
            attempt += 1
    return [
        MappedRow(row.pk, organization_id, MappingKind.INSERTED, slug)
        for row, organization_id, slug in zip(rows, ids, slugs, strict=True)
    ]
