"""Provisioning: an id, a slug reservation and an unverified mapping for each new organization."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import OrganizationIdAllocationRow, OrganizationMappingRow, UserRow
from control_silo.outbox.messages import reservation_changed
from control_silo.writes.reservations import first_reserved, insert_reservations, slug_taken
from shared.db.bulk import batches
from shared.db.unit_of_work import UnitOfWork
from shared.errors import FailedPrecondition, NotFound
from shared.services.organization.model import OrganizationStatus

_ALLOCATIONS = cast(Table, OrganizationIdAllocationRow.__table__)


@dataclass(frozen=True)
class Provision:
    """An organization to provision in a region: its slug, its name and its owner (none for an
    imported organization, whose members come with it)."""

    slug: str
    name: str
    owner_user_id: int | None = None


def provision_organizations(
    uow: UnitOfWork, region_name: str, organizations: Sequence[Provision]
) -> list[int]:
    """Allocates an id for each organization, reserves its slug for its owner and maps it,
    unverified, to the region; returns the ids in the order given.

    :raises NotFound: an owner does not exist (field ``owner_user_id``).
    :raises FailedPrecondition: an owner is not active (field ``owner_user_id``).
    :raises AlreadyExists: a slug is reserved already, or given twice (field ``slug``).
    """
    return [
        organization_id
        for organization_id, _ in provision_with_owners(uow, region_name, organizations)
    ]


def provision_with_owners(
    uow: UnitOfWork, region_name: str, organizations: Sequence[Provision]
) -> list[tuple[int, str | None]]:
    """``provision_organizations``, each id with its owner's primary email as this transaction
    read it (None for an organization without an owner)."""
    if not organizations:
        return []
    session = uow.session
    emails = _active_owner_emails(
        session,
        [o.owner_user_id for o in organizations if o.owner_user_id is not None],
    )
    slugs = [organization.slug for organization in organizations]
    taken = first_reserved(session, slugs)
    if taken is not None:
        raise slug_taken(taken)
    ids = allocate_organization_ids(session, region_name, len(organizations))
    try:
        record_provisions(uow, region_name, list(zip(ids, organizations, strict=True)))
    except IntegrityError:
        # Another region reserved a slug between the check and the insert.
        raise slug_taken(first_reserved(session, slugs) or slugs[0]) from None
    return [
        (organization_id, None if o.owner_user_id is None else emails[o.owner_user_id])
        for organization_id, o in zip(ids, organizations, strict=True)
    ]


def allocate_organization_ids(session: Session, region_name: str, count: int) -> list[int]:
    """Hands out ``count`` new organization ids for the region, ascending."""
    ids: list[int] = []
    for batch in batches(range(count)):
        ids.extend(
            session.scalars(
                insert(_ALLOCATIONS).returning(_ALLOCATIONS.c.id),
                [{"region_name": region_name} for _ in batch],
            )
        )
    return sorted(ids)


def record_provisions(
    uow: UnitOfWork, region_name: str, provisions: Sequence[tuple[int, Provision]]
) -> None:
    """Reserves each (organization id, provision)'s slug, primary, for its owner, and maps the
    organization, unverified, to the region; then tells the region of each reservation.

    :raises IntegrityError: a slug is reserved or mapped already; the rows are written in a
        savepoint, so nothing of them is left behind.
    """
    session = uow.session
    with session.begin_nested():
        reservations = insert_reservations(
            session,
            [
                (organization_id, provision.slug, provision.owner_user_id)
                for organization_id, provision in provisions
            ],
            region_name,
        )
        for pairs in batches(provisions):
            session.execute(
                insert(OrganizationMappingRow),
                [
                    {
                        "organization_id": organization_id,
                        "slug": provision.slug,
                        "name": provision.name,
                        "region_name": region_name,
                        "status": int(OrganizationStatus.ACTIVE),
                        "verified": False,
                        "version": 0,
                    }
                    for organization_id, provision in pairs
                ],
            )
    for reservation in reservations:
        reservation_changed(uow, reservation.id, reservation.organization_id, region_name)


def _active_owner_emails(session: Session, user_ids: Sequence[int]) -> dict[int, str]:
    """Each owner's primary email; raises unless every owner exists and is active."""
    found: dict[int, tuple[bool, str]] = {}
    for batch in batches(sorted(set(user_ids))):
        query = select(UserRow.id, UserRow.is_active, UserRow.email).where(UserRow.id.in_(batch))
        found.update(
            (user_id, (active, email)) for user_id, active, email in session.execute(query)
        )
    for user_id in user_ids:
        if user_id not in found:
            raise NotFound(f"no user has id {user_id}", field="owner_user_id")
        if not found[user_id][0]:
            raise FailedPrecondition(f"user {user_id} is not active", field="owner_user_id")
    return {user_id: email for user_id, (_, email) in found.items()}
