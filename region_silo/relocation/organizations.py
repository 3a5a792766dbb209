"""Imported organizations, with the ids and slugs the control silo hands out, and their options."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select

from region_silo.db.models import OrganizationOptionRow, OrganizationRow
from region_silo.outbox.messages import organization_changed
from region_silo.relocation.keys import member_role
from shared.db.bulk import batches
from shared.db.types import utcnow
from shared.relocation.chunks import ChunkHeader, ChunkRow, MappedRow, MappingKind
from shared.relocation.fields import RowFields
from shared.relocation.findings import FindingKind
from shared.relocation.inserts import insert_once
from shared.relocation.models import ORGANIZATION
from shared.relocation.rpc import RelocationClient
from shared.relocation.writer import ImportContext, Preparer, chunk_failure
from shared.services.organization.model import MAX_ORGANIZATION_NAME_LENGTH, OrganizationStatus
from shared.slugs import imported_organization_slug

OPTION = "sentry.organizationoption"
# What the preparer adds to each row for the importer: the id and final slug the control silo
# gave the organization (names no Sentry field can have).
ALLOCATED_ID = "silo:organization_id"
FINAL_SLUG = "silo:slug"
# Sentry cuts imported slugs to 30 characters, so a longer slug in a file is not an error.
MAX_FILE_SLUG_LENGTH = 255

ControlClient = Callable[[], RelocationClient]


def _values(fields: RowFields, header: ChunkHeader) -> dict[str, Any]:
    status = fields.integer("status", default=int(OrganizationStatus.ACTIVE))
    if status not in tuple(OrganizationStatus):
        raise fields.invalid("status", f"{status} is not an organization status")
    if header.hide_organizations:
        status = OrganizationStatus.RELOCATION_PENDING_APPROVAL
    return {
        "name": fields.text("name", max_length=MAX_ORGANIZATION_NAME_LENGTH),
        "status": int(status),
        "date_added": fields.time("date_added", default=utcnow()),
        "default_role": member_role(fields, "default_role"),
        "is_test": fields.boolean("is_test", default=False),
        "flags": fields.integer("flags", default=1),
    }


def _file_slug(fields: RowFields) -> str:
    return fields.text("slug", max_length=MAX_FILE_SLUG_LENGTH, required=False)


def organization_preparer(region_name: str, control: ControlClient) -> Preparer:
    """Before a chunk of ``sentry.organization`` is written: checks every row, then has the
    control silo allocate the ids and reserve the final slugs (one control chunk with the same
    import id and ordinals, so sending the chunk again gets the same answer)."""

    def prepare(header: ChunkHeader, rows: list[ChunkRow]) -> list[ChunkRow]:
        if not rows:
            return rows
        asked: list[ChunkRow] = []
        for row in rows:
            fields = RowFields(ORGANIZATION, row)
            # Every field is checked here, so bad input stops the chunk before the control silo
            # reserves anything.
            name = _values(fields, header)["name"]
            slug = imported_organization_slug(_file_slug(fields) or name)
            asked.append(
                ChunkRow(
                    row.pk, {"slug": slug, "name": name, "region_name": region_name}, row.ordinal
                )
            )
        result = control().import_chunk(
            ChunkHeader(
                import_uuid=header.import_uuid,
                scope=header.scope,
                model=ORGANIZATION,
                min_ordinal=header.min_ordinal,
                dry_run=header.dry_run,
            ),
            asked,
        )
        given = {mapped.old_pk: mapped for mapped in result.rows}
        prepared: list[ChunkRow] = []
        for row in rows:
            mapped = given.get(row.pk)
            if mapped is None or not mapped.renamed_to:
                raise chunk_failure(
                    FindingKind.UNKNOWN, header, "the control silo gave no id and slug", row
                )
            given_fields = {
                **row.fields,
                ALLOCATED_ID: mapped.new_id,
                FINAL_SLUG: mapped.renamed_to,
            }
            prepared.append(ChunkRow(row.pk, given_fields, row.ordinal))
        return prepared

    return prepare


def import_organizations(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.organization`` with the ids and slugs the preparer got: status
    as in the file (relocation pending approval with ``hide_organizations``), and a message to
    the control silo for each, which verifies its mapping. ``renamed_to`` is the final slug when
    it differs from the file's."""
    values: list[dict[str, Any]] = []
    mapped: list[MappedRow] = []
    for row in rows:
        fields = RowFields(ORGANIZATION, row)
        value = _values(fields, context.header)
        organization_id = row.fields.get(ALLOCATED_ID)
        slug = row.fields.get(FINAL_SLUG)
        if not isinstance(organization_id, int) or not isinstance(slug, str):
            raise chunk_failure(
                FindingKind.UNKNOWN,
                context.header,
                "the organization has no id from the control silo",
                row,
            )
        values.append({**value, "id": organization_id, "slug": slug})
        renamed = slug if slug != _file_slug(fields) else ""
        mapped.append(MappedRow(row.pk, organization_id, MappingKind.INSERTED, renamed))
    session = context.uow.session
    for batch in batches(values):
        session.execute(insert(OrganizationRow), batch)
    for value in values:
        context.uow.add_outbox(organization_changed(value["id"]))
    return mapped


def import_options(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.organizationoption``; an option the organization has already
    (from an earlier row) is skipped."""
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(OPTION, row)
        values.append(
            {
                "organization_id": context.key(fields, "organization", ORGANIZATION),
                "key": fields.text("key", max_length=64),
                "value": fields.json_text("value"),
            }
        )
    session = context.uow.session
    held: dict[tuple[int, str], int] = {}
    for batch in batches(values):
        query = select(
            OrganizationOptionRow.organization_id,
            OrganizationOptionRow.key,
            OrganizationOptionRow.id,
        ).where(
            OrganizationOptionRow.organization_id.in_(
                {value["organization_id"] for value in batch}
            ),
            OrganizationOptionRow.key.in_({value["key"] for value in batch}),
        )
        held.update(
            ((organization_id, key), id_) for organization_id, key, id_ in session.execute(query)
        )
    mapped, _ = insert_once(
        context,
        OrganizationOptionRow,
        rows=rows,
        values=values,
        keys=[(value["organization_id"], value["key"]) for value in values],
        held=held,
        returned_key=lambda returned: (returned.organization_id, returned.key),
        columns=(OrganizationOptionRow.organization_id, OrganizationOptionRow.key),
        duplicate=MappingKind.SKIPPED,
    )
    return mapped
