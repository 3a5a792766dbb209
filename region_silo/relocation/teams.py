"""Imported teams and projects, slugs unique within their organization, and project owners."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from region_silo.db.models import ProjectRow, ProjectTeamRow, TeamRow
from region_silo.relocation.keys import free_slugs, organizations_of
from shared.db.bulk import batches
from shared.db.types import utcnow
from shared.relocation.chunks import ChunkRow, MappedRow
from shared.relocation.fields import RowFields
from shared.relocation.inserts import insert_once
from shared.relocation.models import ORGANIZATION, PROJECT, TEAM
from shared.relocation.writer import ImportContext
from shared.slugs import RESERVED_PROJECT_SLUGS

PROJECT_TEAM = "sentry.projectteam"
# Sentry's slug fields hold 50 characters; suffixes are cut to fit them.
SLUG_LENGTH = 50
PROJECT_SLUG_COLUMN_LENGTH = 100
DEFAULT_PROJECT_FLAGS = 10


def _with_slugs(
    context: ImportContext,
    model: Any,
    rows: list[ChunkRow],
    values: list[dict[str, Any]],
    reserved: frozenset[str] = frozenset(),
) -> list[MappedRow]:
    asked = [value["slug"] for value in values]
    slugs = free_slugs(
        context.uow.session,
        model,
        [(value["organization_id"], value["slug"], value["name"]) for value in values],
        max_length=SLUG_LENGTH,
        reserved=reserved,
    )
    for value, slug in zip(values, slugs, strict=True):
        value["slug"] = slug
    mapped, _ = insert_once(
        context,
        model,
        rows=rows,
        values=values,
        keys=[(value["organization_id"], value["slug"]) for value in values],
        held={},
        returned_key=lambda returned: (returned.organization_id, returned.slug),
        columns=(model.organization_id, model.slug),
    )
    return [
        MappedRow(row.old_pk, row.new_id, row.kind, slug if slug != given else "")
        for row, slug, given in zip(mapped, slugs, asked, strict=True)
    ]


def import_teams(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.team``. A slug its organization holds already (in any case)
    gets Sentry's random suffix (Sentry keeps it and fails); an empty one is made from the name.
    ``renamed_to`` is the slug when it differs from the file's."""
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(TEAM, row)
        values.append(
            {
                "organization_id": context.key(fields, "organization", ORGANIZATION),
                "slug": fields.text("slug", max_length=SLUG_LENGTH, required=False),
                "name": fields.text("name", max_length=64),
                "status": fields.integer("status", default=0),
                "idp_provisioned": fields.boolean("idp_provisioned", default=False),
                "date_added": fields.time("date_added", default=utcnow()),
            }
        )
    return _with_slugs(context, TeamRow, rows, values)


def import_projects(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.project``; slugs as for teams (one made from the name avoids
    Sentry's reserved project slugs). Project ids are new even in a global import (Sentry keeps
    them there)."""
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(PROJECT, row)
        values.append(
            {
                "organization_id": context.key(fields, "organization", ORGANIZATION),
                "slug": fields.text("slug", max_length=PROJECT_SLUG_COLUMN_LENGTH, required=False),
                "name": fields.text("name", max_length=200),
                "forced_color": fields.optional_text("forced_color", max_length=6),
                "public": fields.boolean("public", default=False),
                "date_added": fields.time("date_added", default=utcnow()),
                "status": fields.integer("status", default=0),
                "first_event": fields.optional_time("first_event"),
                "flags": fields.integer("flags", default=DEFAULT_PROJECT_FLAGS),
                "platform": fields.optional_text("platform", max_length=64),
            }
        )
    return _with_slugs(context, ProjectRow, rows, values, RESERVED_PROJECT_SLUGS)


def import_project_teams(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.projectteam``; a team owning the project already stays
    (EXISTING). The project and the team must be of one organization."""
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(PROJECT_TEAM, row)
        values.append(
            {
                "project_id": context.key(fields, "project", PROJECT),
                "team_id": context.key(fields, "team", TEAM),
            }
        )
    session = context.uow.session
    projects = organizations_of(session, ProjectRow, {value["project_id"] for value in values})
    teams = organizations_of(session, TeamRow, {value["team_id"] for value in values})
    for row, value in zip(rows, values, strict=True):
        organization_id = projects.get(value["project_id"])
        if organization_id is None or organization_id != teams.get(value["team_id"]):
            raise RowFields(PROJECT_TEAM, row).invalid(
                "team", "the project and the team are not of one organization"
            )
    held: dict[tuple[int, int], int] = {}
    for batch in batches(values):
        query = select(ProjectTeamRow.project_id, ProjectTeamRow.team_id, ProjectTeamRow.id).where(
            ProjectTeamRow.project_id.in_({value["project_id"] for value in batch}),
            ProjectTeamRow.team_id.in_({value["team_id"] for value in batch}),
        )
        held.update(((project, team), link) for project, team, link in session.execute(query))
    mapped, _ = insert_once(
        context,
        ProjectTeamRow,
        rows=rows,
        values=values,
        keys=[(value["project_id"], value["team_id"]) for value in values],
        held=held,
        returned_key=lambda returned: (returned.project_id, returned.team_id),
        columns=(ProjectTeamRow.project_id, ProjectTeamRow.team_id),
    )
    return mapped
