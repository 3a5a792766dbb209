"""Global slug reservations: made in bulk, renamed, and released with their organization."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import (
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
    OrganizationSlugReservationRow,
)
from control_silo.db.models.organization import PRIMARY_RESERVATION, TEMPORARY_RENAME_ALIAS
from control_silo.outbox.messages import reservation_changed
from shared import slugs
from shared.db.bulk import batches
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists, FailedPrecondition, NotFound

_RESERVATIONS = cast(Table, OrganizationSlugReservationRow.__table__)


def reserve_slugs(uow: UnitOfWork, region_name: str, slug_mapping: Mapping[int, str]) -> None:
    """Reserves each organization's slug, with no owner, in the region.

    :raises AlreadyExists: a slug is reserved already, or an organization has a reservation
        (field ``slug_mapping``).
    """
    if not slug_mapping:
        return
    session = uow.session
    taken = first_reserved(session, list(slug_mapping.values()), distinct=False)
    if taken is not None:
        raise AlreadyExists(f"{taken!r} is taken", field="slug_mapping")
    try:
        reservations = insert_reservations(
            session, [(id_, slug, None) for id_, slug in slug_mapping.items()], region_name
        )
    except IntegrityError:
        raise AlreadyExists(
            "a slug or organization is already reserved", field="slug_mapping"
        ) from None
    for reservation in reservations:
        reservation_changed(uow, reservation.id, reservation.organization_id, region_name)


def reserve_free_slugs(
    uow: UnitOfWork, region_name: str, slug_mapping: Mapping[int, str]
) -> dict[int, str]:
    """Reserves a slug for each organization of the region, as Sentry's bulk reservations do:
    the slug asked for made a slug (cut to 30 characters), a random suffix when it is taken (also
    by an earlier organization of the mapping), a random slug when it is reserved or empty. An
    organization that holds a reservation in the region keeps it. Returns organization id ->
    slug reserved.

    :raises FailedPrecondition: an organization is reserved in another region (field
        ``slug_mapping``).
    """
    session = uow.session
    held: dict[int, OrganizationSlugReservationRow] = {}
    for batch in batches(sorted(slug_mapping)):
        held.update(
            (row.organization_id, row)
            for row in session.scalars(
                select(OrganizationSlugReservationRow).where(
                    OrganizationSlugReservationRow.organization_id.in_(batch),
                    OrganizationSlugReservationRow.reservation_type == PRIMARY_RESERVATION,
                )
            )
        )
    result: dict[int, str] = {}
    for organization_id, wanted in slug_mapping.items():
        row = held.get(organization_id)
        if row is None:
            row = _reserve_free_slug(session, organization_id, wanted, region_name)
            reservation_changed(uow, row.id, organization_id, region_name)
        elif row.region_name != region_name:
            raise FailedPrecondition(
                f"organization {organization_id} is reserved in {row.region_name!r}",
                field="slug_mapping",
            )
        result[organization_id] = row.slug
    return result


_FREE_SLUG_ATTEMPTS = 5


def _reserve_free_slug(
    session: Session, organization_id: int, wanted: str, region_name: str
) -> OrganizationSlugReservationRow:
    base = slugs.imported_organization_slug(wanted)
    for _ in range(_FREE_SLUG_ATTEMPTS):
        slug = slugs.unique_slug(
            base,
            lambda candidate: first_reserved(session, [candidate]) is not None,
            reserved=slugs.RESERVED_ORGANIZATION_SLUGS,
        )
        row = OrganizationSlugReservationRow(
            slug=slug,
            organization_id=organization_id,
            user_id=None,
            region_name=region_name,
            reservation_type=PRIMARY_RESERVATION,
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            # Another transaction reserved the slug meanwhile: draw again.
            continue
        return row
    raise AlreadyExists(f"found no free slug for {wanted!r}", field="slug_mapping")


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
    if first_reserved(session, [slug]) is not None:
        raise slug_taken(slug)
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
        raise slug_taken(slug) from None
    reservation_changed(uow, reservation.id, organization_id, region_name)
    return previous


def _reservation(
    session: Session, organization_id: int, reservation_type: int
) -> OrganizationSlugReservationRow | None:
    return session.scalars(
        select(OrganizationSlugReservationRow).where(
            OrganizationSlugReservationRow.organization_id == organization_id,
            OrganizationSlugReservationRow.reservation_type == reservation_type,
        )
    ).first()


def primary_slug(session: Session, organization_id: int) -> str | None:
    """The slug of the organization's primary reservation, if it has one."""
    primary = _reservation(session, organization_id, PRIMARY_RESERVATION)
    return primary.slug if primary is not None else None


def rename_in_flight(organization_id: int) -> FailedPrecondition:
    """The error of a rename asked for while another one of the organization is in flight."""
    return FailedPrecondition(
        f"organization {organization_id} is being renamed already; try again when that is done",
        field="organization_id",
    )


def start_rename(
    uow: UnitOfWork, organization_id: int, slug: str, region_name: str, *, require_exact: bool
) -> OrganizationSlugReservationRow | None:
    """Reserves ``slug`` (or, unless ``require_exact``, a free slug made from it) as the
    organization's temporary rename alias and tells the region; returns the alias, or None when
    the primary reservation holds ``slug`` already.

    :raises NotFound: the region holds no such organization (field ``organization_id``).
    :raises FailedPrecondition: a rename of the organization is in flight.
    :raises AlreadyExists: ``slug`` is reserved and ``require_exact`` (field ``slug``).
    """
    session = uow.session
    primary = _reservation(session, organization_id, PRIMARY_RESERVATION)
    if primary is None or primary.region_name != region_name:
        raise NotFound(
            f"no organization {organization_id} is reserved in {region_name!r}",
            field="organization_id",
        )
    if _reservation(session, organization_id, TEMPORARY_RENAME_ALIAS) is not None:
        raise rename_in_flight(organization_id)
    if primary.slug == slug:
        return None
    if not require_exact:
        slug = slugs.unique_slug(
            slug,
            lambda candidate: first_reserved(session, [candidate]) is not None,
            max_length=slugs.MAX_SLUG_LENGTH,
            reserved=slugs.RESERVED_ORGANIZATION_SLUGS,
        )
    elif first_reserved(session, [slug]) is not None:
        raise slug_taken(slug)
    alias = OrganizationSlugReservationRow(
        slug=slug,
        organization_id=organization_id,
        user_id=None,
        region_name=region_name,
        reservation_type=TEMPORARY_RENAME_ALIAS,
    )
    try:
        with session.begin_nested():
            session.add(alias)
            session.flush()
    except IntegrityError:
        # Another rename got in between: of this organization, or to the same slug.
        if _reservation(session, organization_id, TEMPORARY_RENAME_ALIAS) is not None:
            raise rename_in_flight(organization_id) from None
        raise slug_taken(slug) from None
    reservation_changed(uow, alias.id, organization_id, region_name)
    return alias


def finish_rename(uow: UnitOfWork, alias: OrganizationSlugReservationRow, taken: bool) -> None:
    """Ends a rename: when the region ``taken`` the alias's slug, the primary reservation and the
    mapping move to it; either way the alias goes. Tells the region of both reservations."""
    session = uow.session
    organization_id, slug, region_name = alias.organization_id, alias.slug, alias.region_name
    session.delete(alias)
    session.flush()
    reservation_changed(uow, alias.id, organization_id, region_name)
    if not taken:
        return
    primary = _reservation(session, organization_id, PRIMARY_RESERVATION)
    if primary is None:
        return
    primary.slug = slug
    mapping = session.scalars(
        select(OrganizationMappingRow).where(
            OrganizationMappingRow.organization_id == organization_id
        )
    ).first()
    if mapping is not None:
        mapping.slug = slug
    session.flush()
    reservation_changed(uow, primary.id, organization_id, region_name)


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


def slug_taken(slug: str) -> AlreadyExists:
    """The error of a slug reserved already."""
    return AlreadyExists(f"{slug!r} is taken", field="slug")


def first_reserved(session: Session, slugs: Sequence[str], *, distinct: bool = True) -> str | None:
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


class Reserved(NamedTuple):
    """A reservation ``insert_reservations`` wrote."""

    id: int
    organization_id: int
    slug: str


def insert_reservations(
    session: Session, reservations: Sequence[tuple[int, str, int | None]], region_name: str
) -> list[Reserved]:
    """Inserts primary reservations of (organization id, slug, user id); returns them, with
    their ids, in the order given."""
    table = _RESERVATIONS
    by_slug: dict[str, Reserved] = {}
    for batch in batches(reservations):
        for row in session.execute(
            insert(table).returning(table.c.id, table.c.organization_id, table.c.slug),
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
            by_slug[row.slug] = Reserved(row.id, row.organization_id, row.slug)
    return [by_slug[slug] for _, slug, _ in reservations]
