"""How a region silo writes import chunks of the organization models it owns."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from region_silo.db.models import OrganizationRow
from region_silo.relocation import members, organizations, teams, tokens
from region_silo.relocation.organizations import ControlClient
from shared.relocation.models import ORGANIZATION, PROJECT, TEAM
from shared.relocation.writer import Importer, Preparer

# A chunk of organizations waits on the control silo's writes; far longer than one lookup.
CONTROL_TIMEOUT_SECONDS = 60.0


def region_importers() -> Mapping[str, Importer]:
    """The region's importers, by model name."""
    return {
        ORGANIZATION: organizations.import_organizations,
        organizations.OPTION: organizations.import_options,
        members.MEMBER: members.import_members,
        TEAM: teams.import_teams,
        members.MEMBER_TEAM: members.import_member_teams,
        PROJECT: teams.import_projects,
        teams.PROJECT_TEAM: teams.import_project_teams,
        tokens.ORGAUTHTOKEN: tokens.import_org_auth_tokens,
    }


def region_preparers(region_name: str, control: ControlClient) -> Mapping[str, Preparer]:
    """What runs before a chunk's transaction, by model name: organizations get their ids and
    final slugs from the control silo (``control`` gives its relocation client)."""
    return {ORGANIZATION: organizations.organization_preparer(region_name, control)}


def region_holdings(session: Session) -> str | None:
    """What a full restore must not meet here: any organization."""
    found = session.scalar(select(OrganizationRow.id).limit(1))
    return "organizations" if found is not None else None
