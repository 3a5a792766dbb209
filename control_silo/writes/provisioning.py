"""Provisioning: an id, a slug reservation and an unverified mapping for each new organization."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import (
    OrganizationIdAllocationRow,
    OrganizationMappingRow,
    OrganizationSlugReservationRow,
    UserRow,
)
from control_silo.db.models.organization import PRIMARY_RESERVATION
from control_silo.outbox.messages import reservation_changed
from control_silo.writes.reservations import (
    Reserved,
    first_reserved,
    insert_reservations,
    slug_taken,
)
from shared.db.bulk import batches, skipping_taken
from shared.db.checks import check_value
from shared.db.unit_of_work import UnitOfWork
from shared.errors import FailedPrecondition, NotFound
from shared.services.organization.model import OrganizationStatus

_ALLOCATIONS = cast(Table, OrganizationIdAllocationRow.__table__)
_RESERVATIONS = cast(Table, OrganizationSlugReservationRow.__table__)
_MAPPINGS = cast(Table, OrganizationMappingRow.__table__)
_USERS = cast(Table, UserRow.__table__)

# Built once: a provisioning binds values only.
_OWNERS = select(_USERS.c.id, _USERS.c.is_active, _USERS.c.email).where(
    _USERS.c.id.in_(bindparam("ids", expanding=True))
)
_ALLOCATE = insert(_ALLOCATIONS).returning(_ALLOCATIONS.c.id)
_RESERVE_NEW = skipping_taken(
    _RESERVATIONS,
    _RESERVATIONS.c.slug,
    _RESERVATIONS.c.id,
    _RESERVATIONS.c.organization_id,
    _RESERVATIONS.c.slug,
)
_INSERT_MAPPINGS = insert(_MAPPINGS)


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
    _check(region_name, organizations)
    ids = allocate_organization_ids(session, region_name, len(organizations))
    provisions = list(zip(ids, organizations, strict=True))
    slugs = [organization.slug for organization in organizations]
    many = len(organizations) > 1
    try:
        # A reserved slug (or one given twice) is skipped by the insert, not refused: no lookup
        # before it. One organization needs no savepoint either: nothing of it was written when
        # its slug is skipped, and the caller's transaction is rolled back on the error.
        with session.begin_nested() if many else nullcontext():
            reservations = _reserve_new(session.connection(), region_name, provisions)
            _map(session.connection(), region_name, provisions)
    except IntegrityError:
        # Another region mapped a slug between the reservation and the mapping.
        raise slug_taken((first_reserved(session, slugs) if many else None) or slugs[0]) from None
    for reservation in reservations:
        reservation_changed(uow, reservation.id, reservation.organization_id, region_name)
    return [
        (organization_id, None if o.owner_user_id is None else emails[o.owner_user_id])
        for organization_id, o in provisions
    ]


def _check(region_name: str, organizations: Sequence[Provision]) -> None:
    """The checks of written strings the session would make (``shared.db.checks``): the
    provisioning statements run on its connection."""
    for table in (_RESERVATIONS, _MAPPINGS):
        check_value(table.c.region_name, region_name, "region_name")
    for organization in organizations:
        for table in (_RESERVATIONS, _MAPPINGS):
            check_value(table.c.slug, organization.slug, "slug")
        check_value(_MAPPINGS.c.name, organization.name, "name")


def _reserve_new(
    connection: Connection, region_name: str, provisions: Sequence[tuple[int, Provision]]
) -> list[Reserved]:
    """Inserts the primary reservations of new organizations; raises ``AlreadyExists`` (field
    ``slug``) for the first slug that is reserved already or given twice, which the insert
    skipped (its other reservations are left to the caller's rollback)."""
    by_organization: dict[int, Reserved] = {}
    reserve = _RESERVE_NEW[connection.dialect.name]
    for batch in batches(provisions):
        for row in connection.execute(
            reserve,
            [
                {
                    "slug": provision.slug,
                    "organization_id": organization_id,
                    "user_id": provision.owner_user_id,
                    "region_name": region_name,
                    "reservation_type": PRIMARY_RESERVATION,
                }
                for organization_id, provision in batch
            ],
        ):
            by_organization[row.organization_id] = Reserved(row.id, row.organization_id, row.slug)
    for organization_id, provision in provisions:
        if organization_id not in by_organization:
            raise slug_taken(provision.slug)
    return [by_organization[organization_id] for organization_id, _ in provisions]


def _map(
    connection: Connection, region_name: str, provisions: Sequence[tuple[int, Provision]]
) -> None:
    """Maps the new organizations, unverified, to the region."""
    for batch in batches(provisions):
        connection.execute(
            _INSERT_MAPPINGS,
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
                for organization_id, provision in batch
            ],
        )


def allocate_organization_ids(session: Session, region_name: str, count: int) -> list[int]:
    """Hands out ``count`` new organization ids for the region, ascending."""
    check_value(_ALLOCATIONS.c.region_name, region_name, "region_name")
    connection = session.connection()
    ids: list[int] = []
    for batch in batches(range(count)):
        ids.extend(
            connection.execute(_ALLOCATE, [{"region_name": region_name} for _ in batch]).scalars()
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
        _check(region_name, [provision for _, provision in provisions])
        _map(session.connection(), region_name, provisions)
    for reservation in reservations:
        reservation_changed(uow, reservation.id, reservation.organization_id, region_name)


def _active_owner_emails(session: Session, user_ids: Sequence[int]) -> dict[int, str]:
    """Each owner's primary email; raises unless every owner exists and is active."""
    found: dict[int, tuple[bool, str]] = {}
    connection = session.connection()
    for batch in batches(sorted(set(user_ids))):
        found.update(
            (user_id, (active, email))
            for user_id, active, email in connection.execute(_OWNERS, {"ids": list(batch)})
        )
    for user_id in user_ids:
        if user_id not in found:
            raise NotFound(f"no user has id {user_id}", field="owner_user_id")
        if not found[user_id][0]:
            raise FailedPrecondition(f"user {user_id} is not active", field="owner_user_id")
    return {user_id: email for user_id, (_, email) in found.items()}
