"""Provisioning: global slug reservations and organization ids, one control transaction each."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session, sessionmaker

from control_silo.services.renames import RenameFinisher
from control_silo.writes import provisioning, reservations
from control_silo.writes.provisioning import Provision
from shared import slugs, validation
from shared.db.unit_of_work import UnitOfWork
from shared.errors import FailedPrecondition, SiloError, Unavailable
from shared.outbox.writer import OutboxWriter
from shared.services.organization.model import MAX_ORGANIZATION_NAME_LENGTH
from shared.services.provisioning.service import (
    OrganizationProvisioningService,
    OwnerProvision,
    SlugUpdate,
)
from shared.services.region_directory import RegionDirectory


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
        self._renames = RenameFinisher(sessions, regions, outbox)

    def provision_organization(
        self, *, slug: str, name: str, region_name: str, owner_user_id: int
    ) -> int:
        return self.provision_organization_for_owner(
            slug=slug, name=name, region_name=region_name, owner_user_id=owner_user_id
        ).organization_id

    def provision_organization_for_owner(
        self, *, slug: str, name: str, region_name: str, owner_user_id: int
    ) -> OwnerProvision:
        slugs.organization_slug(slug)
        validation.text(name, "name", max_length=MAX_ORGANIZATION_NAME_LENGTH)
        self._regions.require(region_name)
        validation.positive_id(owner_user_id, "owner_user_id")
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            [(organization_id, owner_email)] = provisioning.provision_with_owners(
                uow, region_name, [Provision(slug, name, owner_user_id)]
            )
            uow.commit()
        return OwnerProvision(organization_id, owner_email or "")

    def update_organization_slug(
        self, *, organization_id: int, slug: str, region_name: str, require_exact: bool = True
    ) -> SlugUpdate:
        slugs.organization_slug(slug)
        validation.positive_id(organization_id, "organization_id")
        self._regions.require(region_name)
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            previous = reservations.primary_slug(uow.session, organization_id)
            alias = reservations.start_rename(
                uow, organization_id, slug, region_name, require_exact=require_exact
            )
            if alias is None:
                return SlugUpdate(previous_slug=slug, slug=slug)
            wanted = alias.slug
            uow.commit()
        try:
            taken = self._renames.finish(organization_id)
        except SiloError as error:
            raise Unavailable(
                f"the region did not take the slug yet ({error}); the rename finishes when it "
                "answers",
                field="region_name",
            ) from error
        if taken is None:
            # The outbox finished it first: as Sentry checks, it succeeded when the primary
            # reservation holds the slug now.
            with UnitOfWork(self._sessions, read_only=True) as uow:
                taken = reservations.primary_slug(uow.session, organization_id) == wanted
        if not taken:
            raise FailedPrecondition(
                f"the region refused {wanted!r} for organization {organization_id}", field="slug"
            )
        return SlugUpdate(previous_slug=previous or wanted, slug=wanted)

    def bulk_create_organization_slug_reservations(
        self, *, region_name: str, slug_mapping: Mapping[int, str]
    ) -> dict[int, str]:
        self._regions.require(region_name)
        validation.bounded_list(list(slug_mapping), "slug_mapping")
        for organization_id in slug_mapping:
            validation.positive_id(organization_id, "slug_mapping")
        with UnitOfWork(self._sessions, outbox=self._outbox) as uow:
            reserved = reservations.reserve_free_slugs(uow, region_name, slug_mapping)
            uow.commit()
        return reserved
