"""The region silo's writes: functions of the caller's unit of work that never commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from region_silo.db.models import OrganizationRow
from shared import validation
from shared.db.bulk import batches
from shared.errors import NotFound


def require_organization(session: Session, organization_id: int) -> OrganizationRow:
    """The organization's row; raises ``InvalidArgument`` or ``NotFound`` (field
    ``organization_id``)."""
    validation.positive_id(organization_id, "organization_id")
    row = session.get(OrganizationRow, organization_id)
    if row is None:
        raise NotFound(f"no organization has id {organization_id}", field="organization_id")
    return row


def require_organizations(session: Session, organization_ids: Iterable[int]) -> None:
    """Raises ``InvalidArgument`` or ``NotFound`` (field ``organization_id``) for the first bad
    id."""
    wanted = list(dict.fromkeys(organization_ids))
    for organization_id in wanted:
        validation.positive_id(organization_id, "organization_id")
    found: set[int] = set()
    for batch in batches(wanted):
        found.update(
            session.scalars(select(OrganizationRow.id).where(OrganizationRow.id.in_(batch)))
        )
    for organization_id in wanted:
        if organization_id not in found:
            raise NotFound(f"no organization has id {organization_id}", field="organization_id")
