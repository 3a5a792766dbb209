"""The messages the control silo writes to its outbox, each in the caller's unit of work:
USER_UPDATE and AUTH_IDENTITY_UPDATE to every region where the user is a member,
ORGANIZATION_SLUG_RESERVATION_UPDATE to the region holding the organization."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from control_silo.db.models import OrganizationMappingRow, OrganizationMemberMappingRow
from shared.db.unit_of_work import UnitOfWork
from shared.outbox.categories import OutboxCategory
from shared.outbox.model import OutboxMessage

CARRIED: frozenset[OutboxCategory] = frozenset(
    {
        OutboxCategory.USER_UPDATE,
        OutboxCategory.AUTH_IDENTITY_UPDATE,
        OutboxCategory.ORGANIZATION_SLUG_RESERVATION_UPDATE,
    }
)
"""Every category the control silo writes, so every category its delivery must handle."""

_USERS_PER_QUERY = 500


def member_regions(session: Session, user_id: int) -> list[str]:
    """The regions holding an organization the user is a member of."""
    member_of = select(OrganizationMemberMappingRow.organization_id).where(
        OrganizationMemberMappingRow.user_id == user_id
    )
    return list(
        session.scalars(
            select(OrganizationMappingRow.region_name)
            .where(OrganizationMappingRow.organization_id.in_(member_of))
            .distinct()
            .order_by(OrganizationMappingRow.region_name)
        )
    )


def user_changed(
    uow: UnitOfWork, user_id: int, category: OutboxCategory = OutboxCategory.USER_UPDATE
) -> None:
    """Writes, in the unit of work's transaction, a message about the user to its regions."""
    for region in member_regions(uow.session, user_id):
        uow.add_outbox(OutboxMessage(category, user_id, user_id, payload=None, region_name=region))


def users_changed(
    uow: UnitOfWork,
    user_ids: Sequence[int],
    category: OutboxCategory = OutboxCategory.USER_UPDATE,
) -> None:
    """``user_changed`` for many users, finding all their regions in one query per batch."""
    wanted = list(dict.fromkeys(user_ids))
    regions: dict[int, list[str]] = {}
    for start in range(0, len(wanted), _USERS_PER_QUERY):
        batch = wanted[start : start + _USERS_PER_QUERY]
        rows = uow.session.execute(
            select(OrganizationMemberMappingRow.user_id, OrganizationMappingRow.region_name)
            .join(
                OrganizationMappingRow,
                OrganizationMappingRow.organization_id
                == OrganizationMemberMappingRow.organization_id,
            )
            .where(OrganizationMemberMappingRow.user_id.in_(batch))
            .distinct()
            .order_by(OrganizationMappingRow.region_name)
        )
        for user_id, region in rows:
            if user_id is not None:
                regions.setdefault(user_id, []).append(region)
    for user_id in wanted:
        for region in regions.get(user_id, []):
            uow.add_outbox(
                OutboxMessage(category, user_id, user_id, payload=None, region_name=region)
            )


def reservation_changed(
    uow: UnitOfWork, reservation_id: int, organization_id: int, region_name: str
) -> None:
    """Writes, in the unit of work's transaction, that a reservation changed or went away."""
    uow.add_outbox(
        OutboxMessage(
            OutboxCategory.ORGANIZATION_SLUG_RESERVATION_UPDATE,
            organization_id,
            reservation_id,
            region_name=region_name,
        )
    )
