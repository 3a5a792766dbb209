"""Provisioning: organization ids, global slug reservations, unverified mappings, and their
release."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import (
    OrganizationIdAllocationRow,
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
    OrganizationSlugReservationRow,
    UserRow,
)
from control_silo.db.models.organization import PRIMARY_RESERVATION
from control_silo.outbox.messages import reservation_changed
from control_silo.writes import batches
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists, FailedPrecondition, NotFound
from shared.services.organization.model import OrganizationStatus


@dataclass(frozen=True)
class Provision:
    """An organization to provision in a region: its slug, its name and its owner."""

    slug: str
    name: str
    owner_user_id: int


def provision_organizations(
    uow: UnitOfWork, region_name: str, organizations: Sequence[Provision]
) -> list[int]:
    """Allocates an id for each organization, reserves its slug for its owner and maps it,
    unverified, to the region; returns the ids in the order given.

    :raises NotFound: an owner does not exist (field ``owner_user_id``).
    :raises FailedPrecondition: an owner is not active (field ``owner_user_id``).
    :raises AlreadyExists: a slug is reserved already, or given twice (field ``slug``).
    """
    if not organizations:
        return []
    session = uow.session
    _require_active_owners(session, [organization.owner_user_id for organization in organizations])
    slugs = [organization.slug for organization in organizations]
    taken = _first_reserved(session, slugs)
    if taken is not None:
        raise _slug_taken(taken)
    ids: list[int] = []
    for batch in batches(organizations):
        ids.extend(
            session.scalars(
                insert(OrganizationIdAllocationRow).returning(OrganizationIdAllocationRow.id),
                [{"region_name": region_name} for _ in batch],
            )
        )
    ids.sort()
    try:
        with session.begin_nested():
            reservations = _insert_reservations(
                session,
                [
                    (organization_id, organization.slug, organization.owner_user_id)
                    for organization_id, organization in zip(ids, organizations, strict=True)
                ],
                region_name,
            )
            for pairs in batches(list(zip(ids, organizations, strict=True))):
                session.execute(
                    insert(OrganizationMappingRow),
                    [
                        {
                            "organization_id": organization_id,
                            "slug": organization.slug,
                            "name": organization.name,
                            "region_name": region_name,
                            "status": int(OrganizationStatus.ACTIVE),
                            "verified": False,
                            "version": 0,
                        }
                        for organization_id, organization in pairs
                    ],
                )
    except IntegrityError:
        # Another region reserved a slug between the check and the insert.
        raise _slug_taken(_first_reserved(session, slugs) or slugs[0]) from None
    for reservation in reservations:
        reservation_changed(uow, reservation.id, reservation.organization_id, region_name)
    return ids


def reserve_slugs(uow: UnitOfWork, region_name: str, slug_mapping: Mapping[int, str]) -> None:
    """Reserves each organization's slug, with no owner, in the region.

    :raises AlreadyExists: a slug is reserved already, or an organization has a reservation
        (field ``slug_mapping``).
    """
    if not slug_mapping:
        return
    session = uow.session
    taken = _first_reserved(session, list(slug_mapping.values()), distinct=False)
    if taken is not None:
        raise AlreadyExists(f"{taken!r} is taken", field="slug_mapping")
    try:
        reservations = _insert_reservations(
            session, [(id_, slug, None) for id_, slug in slug_mapping.items()], region_name
        )
    except IntegrityError:
        raise AlreadyExists(
            "a slug or organization is already reserved", field="slug_mapping"
        ) from None
    for reservation in reservations:
        reservation_changed(uow, reservation.id, reservation.organization_id, region_name)


def rename_organization_slug(
    uow: UnitOfWork, organization_id: int, slug: str, region_name: str
) -> str:
    """Moves the organization's primary reservation, and its mapping, to ``slug``; returns the
    slug it had (and writes nothing when that is ``slug``).

    :raises NotFound: the region holds no such organization (field ``organization_id``).
    :raises AlreadyExists: ``slug`` is reserved (field ``slug``).
    """
    session = uow.session
    reservation = session.scalars(
        select(OrganizationSlugReservationRow).where(
            OrganizationSlugReservationRow.organization_id == organization_id,
            OrganizationSlugReservationRow.reservation_type == PRIMARY_RESERVATION,
        )
    ).first()
    if reservation is None or reservation.region_name != region_name:
        raise NotFound(
            f"no organization {organization_id} is reserved in {region_name!r}",
            field="organization_id",
        )
    previous = reservation.slug
    if previous == slug:
        return previous
    if _first_reserved(session, [slug]) is not None:
        raise _slug_taken(slug)
    reservation.slug = slug
    mapping = session.scalars(
        select(OrganizationMappingRow).where(
            OrganizationMappingRow.organization_id == organization_id
        )
    ).first()
    if mapping is not None:
        mapping.slug = slug
    try:
        session.flush()
    except IntegrityError:
        raise _slug_taken(slug) from None
    reservation_changed(uow, reservation.id, organization_id, region_name)
    return previous


def release_organization(uow: UnitOfWork, organization_id: int) -> None:
    """Deletes the organization's mapping, member mappings and reservations, telling the regions
    of those reservations."""
    reservations = uow.session.execute(
        select(OrganizationSlugReservationRow.id, OrganizationSlugReservationRow.region_name).where(
            OrganizationSlugReservationRow.organization_id == organization_id
        )
    ).all()
    for reservation_id, region_name in reservations:
        reservation_changed(uow, reservation_id, organization_id, region_name)
    for model in (
        OrganizationMappingRow,
        OrganizationMemberMappingRow,
        OrganizationSlugReservationRow,
    ):
        uow.session.execute(delete(model).where(model.organization_id == organization_id))


def _slug_taken(slug: str) -> AlreadyExists:
    return AlreadyExists(f"{slug!r} is taken", field="slug")


def _require_active_owners(session: Session, user_ids: Sequence[int]) -> None:
    active: dict[int, bool] = {}
    for batch in batches(sorted(set(user_ids))):
        query = select(UserRow.id, UserRow.is_active).where(UserRow.id.in_(batch))
        active.update((user_id, is_active) for user_id, is_active in session.execute(query))
    for user_id in user_ids:
        if user_id not in active:
            raise NotFound(f"no user has id {user_id}", field="owner_user_id")
        if not active[user_id]:
            raise FailedPrecondition(f"user {user_id} is not active", field="owner_user_id")


def _first_reserved(session: Session, slugs: Sequence[str], *, distinct: bool = True) -> str | None:
    """The first slug that is reserved (or, when ``distinct``, given twice)."""
    reserved: set[str] = set()
    for batch in batches(sorted(set(slugs))):
        reserved.update(
            session.scalars(
                select(OrganizationSlugReservationRow.slug).where(
                    OrganizationSlugReservationRow.slug.in_(batch)
                )
            )
        )
    for slug in slugs:
        if slug in reserved:
            return slug
        if distinct:
            reserved.add(slug)
    return None


def _insert_reservations(
    session: Session, reservations: Sequence[tuple[int, str, int | None]], region_name: str
) -> list[OrganizationSlugReservationRow]:
    """Inserts primary reservations of (organization id, slug, user id); returns their rows in the
    order given."""
    by_slug: dict[str, OrganizationSlugReservationRow] = {}
    for batch in batches(reservations):
        for row in session.scalars(
            insert(OrganizationSlugReservationRow).returning(OrganizationSlugReservationRow),
            [
                {
                    "slug": slug,
                    "organization_id": organization_id,
                    "user_id": user_id,
                    "region_name": region_name,
                    "reservation_type": PRIMARY_RESERVATION,
                }
                for organization_id, slug, user_id in batch
            ],
        ):
            by_slug[row.slug] = row
    return [by_slug[slug] for _, slug, _ in reservations]
