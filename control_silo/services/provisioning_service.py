"""Provisioning: global slug reservations and organization ids, one control transaction each."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import (
    OrganizationIdAllocationRow,
    OrganizationMappingRow,
    OrganizationSlugReservationRow,
    UserRow,
)
from control_silo.db.models.organization import PRIMARY_RESERVATION
from control_silo.outbox.messages import reservation_changed
from shared import slugs, validation
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists, FailedPrecondition, NotFound
from shared.outbox.writer import OutboxWriter
from shared.services.organization.model import MAX_ORGANIZATION_NAME_LENGTH, OrganizationStatus
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.region_directory import RegionDirectory


def _slug_taken(slug: str) -> AlreadyExists:
    return AlreadyExists(f"{slug!r} is taken", field="slug")


class DatabaseProvisioningService(OrganizationProvisioningService):
    """Slug reservations, id allocation and unverified mappings in the control database."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        regions: RegionDirectory,
        outbox: OutboxWriter | None = None,
    ) -> None:
        self._sessions = sessions
        self._regions = regions
        self._outbox = outbox

    def provision_organization(
        self, *, slug: str, name: str, region_name: str, owner_user_id: int
    ) -> int:
        slugs.organization_slug(slug)
        validation.text(name, "name", max_length=MAX_ORGANIZATION_NAME_LENGTH)
        self._regions.require(region_name)
        validation.positive_id(owner_user_id, "owner_user_id")
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            session = uow.session
            owner = session.get(UserRow, owner_user_id)
            if owner is None:
                raise NotFound(f"no user has id {owner_user_id}", field="owner_user_id")
            if not owner.is_active:
                raise FailedPrecondition(
                    f"user {owner_user_id} is not active", field="owner_user_id"
                )
            if self._reserved(session, slug):
                raise _slug_taken(slug)
            allocation = OrganizationIdAllocationRow(region_name=region_name)
            session.add(allocation)
            session.flush()
            organization_id = allocation.id
            reservation = OrganizationSlugReservationRow(
                slug=slug,
                organization_id=organization_id,
                user_id=owner_user_id,
                region_name=region_name,
                reservation_type=PRIMARY_RESERVATION,
            )
            session.add(reservation)
            session.add(
                OrganizationMappingRow(
                    organization_id=organization_id,
                    slug=slug,
                    name=name,
                    region_name=region_name,
                    status=int(OrganizationStatus.ACTIVE),
                    verified=False,
                    version=0,
                )
            )
            try:
                session.flush()
            except IntegrityError:
                # Another region reserved the same slug between the check and the insert.
                raise _slug_taken(slug) from None
            reservation_changed(uow, reservation.id, organization_id, region_name)
            uow.commit()
        return organization_id

    @staticmethod
    def _reserved(session: Session, slug: str) -> bool:
        return (
            session.scalar(
                select(func.count())
                .select_from(OrganizationSlugReservationRow)
                .where(OrganizationSlugReservationRow.slug == slug)
            )
            or 0
        ) > 0

    def update_organization_slug(self, *, organization_id: int, slug: str, region_name: str) -> str:
        slugs.organization_slug(slug)
        validation.positive_id(organization_id, "organization_id")
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
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
            if self._reserved(session, slug):
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
            uow.commit()
        return previous

    def bulk_create_organization_slug_reservations(
        self, *, region_name: str, slug_mapping: Mapping[int, str]
    ) -> None:
        self._regions.require(region_name)
        validation.bounded_list(list(slug_mapping), "slug_mapping")
        for organization_id, slug in slug_mapping.items():
            validation.positive_id(organization_id, "slug_mapping")
            slugs.organization_slug(slug, field="slug_mapping")
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            added = []
            for organization_id, slug in slug_mapping.items():
                if self._reserved(uow.session, slug):
                    raise AlreadyExists(f"{slug!r} is taken", field="slug_mapping")
                reservation = OrganizationSlugReservationRow(
                    slug=slug,
                    organization_id=organization_id,
                    region_name=region_name,
                    reservation_type=PRIMARY_RESERVATION,
                )
                uow.session.add(reservation)
                added.append(reservation)
            try:
                uow.flush()
            except IntegrityError:
                raise AlreadyExists(
                    "a slug or organization is already reserved", field="slug_mapping"
                ) from None
            for reservation in added:
                reservation_changed(uow, reservation.id, reservation.organization_id, region_name)
            uow.commit()
