"""What a region exports: the organization models, each field as Sentry's export files write it,
and which organizations (and members' users) an export's filters select."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from region_silo.db.models import (
    OrganizationMemberRow,
    OrganizationMemberTeamRow,
    OrganizationOptionRow,
    OrganizationRow,
    OrgAuthTokenRow,
    ProjectRow,
    ProjectTeamRow,
    TeamRow,
)
from shared.folding import fold_case
from shared.relocation.exports import (
    ExportField,
    ModelExport,
    OwnerValues,
    Selection,
    SelectionAnswer,
    SelectionQuery,
    as_bitfield,
    as_json_value,
    as_python_list,
    as_time,
    of_organizations,
)

F = ExportField


def _of_organizations_through(table: type[TeamRow] | type[ProjectRow]) -> OwnerValues:
    """Rows owned through a team or a project go with its organization: the ids of the teams
    (or projects) of the selected organizations."""

    def owner_values(session: Session, selection: Selection) -> frozenset[int] | None:
        if selection.organization_ids is None:
            return None
        query = select(table.id, table.organization_id)
        return frozenset(
            row_id
            for row_id, owner in session.execute(query)
            if owner in selection.organization_ids
        )

    return owner_values


_EXPORTS: tuple[ModelExport, ...] = (
    ModelExport(
        "sentry.organization",
        OrganizationRow.id,
        (
            F("name", OrganizationRow.name),
            F("slug", OrganizationRow.slug),
            F("status", OrganizationRow.status),
            F("date_added", OrganizationRow.date_added, as_time),
            F("default_role", OrganizationRow.default_role),
            F("is_test", OrganizationRow.is_test),
            F("flags", OrganizationRow.flags, as_bitfield),
        ),
        owner=OrganizationRow.id,
        owner_values=of_organizations,
    ),
    ModelExport(
        "sentry.organizationoption",
        OrganizationOptionRow.id,
        (
            F("organization", OrganizationOptionRow.organization_id),
            F("key", OrganizationOptionRow.key),
            # Organization option values are written as the JSON value itself.
            F("value", OrganizationOptionRow.value, as_json_value),
        ),
        owner=OrganizationOptionRow.organization_id,
        owner_values=of_organizations,
    ),
    ModelExport(
        "sentry.organizationmember",
        OrganizationMemberRow.id,
        (
            F("organization", OrganizationMemberRow.organization_id),
            F("user_id", OrganizationMemberRow.user_id),
            F("email", OrganizationMemberRow.email),
            F("role", OrganizationMemberRow.role),
            F("flags", OrganizationMemberRow.flags, as_bitfield),
            F("token", OrganizationMemberRow.token),
            F("date_added", OrganizationMemberRow.date_added, as_time),
            F("token_expires_at", OrganizationMemberRow.token_expires_at, as_time),
            F("has_global_access", OrganizationMemberRow.has_global_access),
            F("inviter_id", OrganizationMemberRow.inviter_id),
            F("invite_status", OrganizationMemberRow.invite_status),
            F("type", OrganizationMemberRow.type),
            F("user_is_active", OrganizationMemberRow.user_is_active),
            F("user_email", OrganizationMemberRow.user_email),
        ),
        owner=OrganizationMemberRow.organization_id,
        owner_values=of_organizations,
    ),
    ModelExport(
        "sentry.team",
        TeamRow.id,
        (
            F("organization", TeamRow.organization_id),
            F("slug", TeamRow.slug),
            F("name", TeamRow.name),
            F("status", TeamRow.status),
            F("idp_provisioned", TeamRow.idp_provisioned),
            F("date_added", TeamRow.date_added, as_time),
        ),
        owner=TeamRow.organization_id,
        owner_values=of_organizations,
    ),
    ModelExport(
        "sentry.organizationmemberteam",
        OrganizationMemberTeamRow.id,
        (
            F("team", OrganizationMemberTeamRow.team_id),
            F("organizationmember", OrganizationMemberTeamRow.organizationmember_id),
            F("is_active", OrganizationMemberTeamRow.is_active),
            F("role", OrganizationMemberTeamRow.role),
        ),
        owner=OrganizationMemberTeamRow.team_id,
        owner_values=_of_organizations_through(TeamRow),
    ),
    ModelExport(
        "sentry.project",
        ProjectRow.id,
        (
            F("slug", ProjectRow.slug),
            F("name", ProjectRow.name),
            F("forced_color", ProjectRow.forced_color),
            F("organization", ProjectRow.organization_id),
            F("public", ProjectRow.public),
            F("date_added", ProjectRow.date_added, as_time),
            F("status", ProjectRow.status),
            F("first_event", ProjectRow.first_event, as_time),
            F("flags", ProjectRow.flags, as_bitfield),
            F("platform", ProjectRow.platform),
        ),
        owner=ProjectRow.organization_id,
        owner_values=of_organizations,
    ),
    ModelExport(
        "sentry.projectteam",
        ProjectTeamRow.id,
        (F("project", ProjectTeamRow.project_id), F("team", ProjectTeamRow.team_id)),
        owner=ProjectTeamRow.project_id,
        owner_values=_of_organizations_through(ProjectRow),
    ),
    ModelExport(
        "sentry.orgauthtoken",
        OrgAuthTokenRow.id,
        (
            F("organization_id", OrgAuthTokenRow.organization_id),
            F("token_hashed", OrgAuthTokenRow.token_hashed),
            F("token_last_characters", OrgAuthTokenRow.token_last_characters),
            F("name", OrgAuthTokenRow.name),
            F("scope_list", OrgAuthTokenRow.scope_list, as_python_list),
            F("created_by", OrgAuthTokenRow.created_by_id),
            F("date_added", OrgAuthTokenRow.date_added, as_time),
            F("date_last_used", OrgAuthTokenRow.date_last_used, as_time),
            F("project_last_used_id", OrgAuthTokenRow.project_last_used_id),
            F("date_deactivated", OrgAuthTokenRow.date_deactivated, as_time),
        ),
        owner=OrgAuthTokenRow.organization_id,
        owner_values=of_organizations,
    ),
)


def region_exports() -> Mapping[str, ModelExport]:
    """The region's exports, by model name."""
    return {spec.model: spec for spec in _EXPORTS}


def select_organizations(
    session: Session, slugs: frozenset[str] | None
) -> tuple[list[int], list[int], list[str]]:
    """The organizations an export takes here (every one without a filter), their members' user
    ids, and the filter's slugs no organization here holds."""
    query = select(OrganizationRow.id, func.lower(OrganizationRow.slug))
    wanted = None if slugs is None else {fold_case(slug) for slug in slugs}
    organizations = {
        organization_id: slug
        for organization_id, slug in session.execute(query)
        if wanted is None or slug in wanted
    }
    unmatched = (
        []
        if slugs is None
        else sorted(s for s in slugs if fold_case(s) not in organizations.values())
    )
    members = select(OrganizationMemberRow.organization_id, OrganizationMemberRow.user_id).where(
        OrganizationMemberRow.user_id.is_not(None)
    )
    user_ids = sorted(
        {
            user_id
            for organization_id, user_id in session.execute(members)
            if organization_id in organizations and user_id is not None
        }
    )
    return sorted(organizations), user_ids, unmatched


def select_for_export(session: Session, query: SelectionQuery) -> SelectionAnswer:
    """The region's part of an export's selection: its organizations and their members' users."""
    organization_ids, user_ids, unmatched = select_organizations(session, query.org_slugs)
    return SelectionAnswer(
        organization_ids=tuple(organization_ids),
        member_user_ids=tuple(user_ids),
        unmatched_org_slugs=tuple(unmatched),
    )
