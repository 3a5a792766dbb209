"""Imported memberships and invitations, told to the control silo, and their places on teams."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from region_silo.db.models import OrganizationMemberRow, OrganizationMemberTeamRow, TeamRow
from region_silo.outbox.messages import member_changed
from region_silo.relocation.keys import member_role, organizations_of
from shared.db.bulk import batches
from shared.db.types import utcnow
from shared.relocation.chunks import ChunkRow, MappedRow
from shared.relocation.fields import RowFields
from shared.relocation.inserts import insert_once
from shared.relocation.models import ORGANIZATION, TEAM, USER
from shared.relocation.writer import ImportContext

MEMBER = "sentry.organizationmember"
MEMBER_TEAM = "sentry.organizationmemberteam"
INVITE_APPROVED = 0
DEPRECATED_MEMBER_TYPE = 50

# A membership is one per (organization, user); an invitation one per (organization, email).
MemberKey = tuple[int, int | None, str | None]


def _member_key(organization_id: int, user_id: int | None, email: str | None) -> MemberKey:
    return (
        (organization_id, user_id, None) if user_id is not None else (organization_id, None, email)
    )


def _member_values(context: ImportContext, row: ChunkRow) -> dict[str, Any]:
    fields = RowFields(MEMBER, row)
    value = {
        "organization_id": context.key(fields, "organization", ORGANIZATION),
        "user_id": context.optional_key(fields, "user_id", USER),
        "email": fields.optional_text("email", max_length=75),
        "role": member_role(fields, "role"),
        "flags": fields.integer("flags", default=0),
        "token": fields.optional_text("token", max_length=64),
        "date_added": fields.time("date_added", default=utcnow()),
        "token_expires_at": fields.optional_time("token_expires_at"),
        "has_global_access": fields.boolean("has_global_access", default=True),
        "inviter_id": context.optional_key(fields, "inviter_id", USER, null_when_missing=True),
        # Null is a value of its own here: Sentry's column is nullable, with a default.
        "invite_status": (
            None
            if "invite_status" in row.fields and row.fields["invite_status"] is None
            else fields.integer("invite_status", default=INVITE_APPROVED)
        ),
        "type": fields.integer("type", default=DEPRECATED_MEMBER_TYPE),
        "user_is_active": fields.boolean("user_is_active", default=True),
        "user_email": fields.optional_text("user_email", max_length=75),
    }
    if value["user_id"] is None and not value["email"]:
        raise fields.invalid("email", "an invitation (a member without user_id) needs an email")
    return value


def _held_members(session: Session, values: list[dict[str, Any]]) -> dict[MemberKey, int]:
    held: dict[MemberKey, int] = {}
    for batch in batches(values):
        users = {value["user_id"] for value in batch if value["user_id"] is not None}
        emails = {value["email"] for value in batch if value["user_id"] is None}
        query = select(
            OrganizationMemberRow.id,
            OrganizationMemberRow.organization_id,
            OrganizationMemberRow.user_id,
            OrganizationMemberRow.email,
        ).where(
            OrganizationMemberRow.organization_id.in_(
                {value["organization_id"] for value in batch}
            ),
            or_(
                OrganizationMemberRow.user_id.in_(users),
                and_(
                    OrganizationMemberRow.user_id.is_(None),
                    OrganizationMemberRow.email.in_(emails),
                ),
            ),
        )
        for member_id, organization_id, user_id, email in session.execute(query):
            held[_member_key(organization_id, user_id, email)] = member_id
    return held


def _clear_held_tokens(session: Session, values: list[dict[str, Any]]) -> None:
    tokens: set[str] = set()
    for batch in batches(sorted({value["token"] for value in values if value["token"]})):
        tokens.update(
            token
            for token in session.scalars(
                select(OrganizationMemberRow.token).where(OrganizationMemberRow.token.in_(batch))
            )
            if token is not None
        )
    for value in values:
        if value["token"] in tokens:
            # Sentry clears it rather than minting one: the person can be sent a new invitation.
            value.update(token=None, token_expires_at=None)
        elif value["token"]:
            tokens.add(value["token"])


def import_members(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.organizationmember`` (its user and inviter ids are the control
    silo's, mapped by the import) and tells the control silo of each new membership. A token
    another member holds is cleared, as Sentry does; a second membership of one user (two users
    of the file merged into one) or invitation of one address maps to the first (EXISTING)."""
    values = [_member_values(context, row) for row in rows]
    session = context.uow.session
    held = _held_members(session, values)
    keys = [_member_key(v["organization_id"], v["user_id"], v["email"]) for v in values]
    _clear_held_tokens(
        session, [value for key, value in zip(keys, values, strict=True) if key not in held]
    )
    mapped, inserted = insert_once(
        context,
        OrganizationMemberRow,
        rows=rows,
        values=values,
        keys=keys,
        held=held,
        returned_key=lambda returned: _member_key(
            returned.organization_id, returned.user_id, returned.email
        ),
        columns=(
            OrganizationMemberRow.organization_id,
            OrganizationMemberRow.user_id,
            OrganizationMemberRow.email,
        ),
    )
    for (organization_id, _, _), member_id in inserted.items():
        context.uow.add_outbox(member_changed(organization_id, member_id))
    return mapped


def import_member_teams(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
    """Writes a chunk of ``sentry.organizationmemberteam``; a member already on the team keeps
    its place (EXISTING). The team and the member must be of one organization."""
    values: list[dict[str, Any]] = []
    for row in rows:
        fields = RowFields(MEMBER_TEAM, row)
        values.append(
            {
                "team_id": context.key(fields, "team", TEAM),
                "organizationmember_id": context.key(fields, "organizationmember", MEMBER),
                "is_active": fields.boolean("is_active", default=True),
                "role": fields.optional_text("role", max_length=32),
            }
        )
    session = context.uow.session
    teams = organizations_of(session, TeamRow, {value["team_id"] for value in values})
    members = organizations_of(
        session, OrganizationMemberRow, {value["organizationmember_id"] for value in values}
    )
    for row, value in zip(rows, values, strict=True):
        organization_id = teams.get(value["team_id"])
        if organization_id is None or organization_id != members.get(
            value["organizationmember_id"]
        ):
            raise RowFields(MEMBER_TEAM, row).invalid(
                "organizationmember", "the member and the team are not of one organization"
            )
    held: dict[tuple[int, int], int] = {}
    for batch in batches(values):
        query = select(
            OrganizationMemberTeamRow.team_id,
            OrganizationMemberTeamRow.organizationmember_id,
            OrganizationMemberTeamRow.id,
        ).where(
            OrganizationMemberTeamRow.team_id.in_({value["team_id"] for value in batch}),
            OrganizationMemberTeamRow.organizationmember_id.in_(
                {value["organizationmember_id"] for value in batch}
            ),
        )
        held.update(((team, member), link) for team, member, link in session.execute(query))
    mapped, _ = insert_once(
        context,
        OrganizationMemberTeamRow,
        rows=rows,
        values=values,
        keys=[(value["team_id"], value["organizationmember_id"]) for value in values],
        held=held,
        returned_key=lambda returned: (returned.team_id, returned.organizationmember_id),
        columns=(
            OrganizationMemberTeamRow.team_id,
            OrganizationMemberTeamRow.organizationmember_id,
        ),
    )
    return mapped
