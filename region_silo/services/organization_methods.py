"""The organization service's organizations: provisioned, created, looked up and renamed."""

from __future__ import annotations

import logging

from sqlalchemy import select

from region_silo.db.models import OrganizationRow
from region_silo.services.organization_base import OrganizationServiceBase
from region_silo.services.rows import to_organization
from region_silo.writes import require_organization
from region_silo.writes.organizations import NewOrganization, create_organization
from shared import slugs, validation
from shared.errors import NotFound, SiloError
from shared.services.organization.model import (
    MAX_ORGANIZATION_NAME_LENGTH,
    MemberRole,
    Organization,
    OrganizationStatus,
)

log = logging.getLogger("silo.region")


class OrganizationMethods(OrganizationServiceBase):
    """The organization methods of ``DatabaseOrganizationService``."""

    def create_organization(
        self, *, slug: str, name: str, owner_user_id: int, default_role: MemberRole | None = None
    ) -> Organization:
        slugs.organization_slug(slug)
        validation.text(name, "name", max_length=MAX_ORGANIZATION_NAME_LENGTH)
        validation.positive_id(owner_user_id, "owner_user_id")
        # The control silo checks the owner (exists, active) in the provisioning transaction and
        # answers the primary email the owner's membership copies.
        provisioned = self._provisioning.provision_organization_for_owner(
            slug=slug, name=name, region_name=self._region, owner_user_id=owner_user_id
        )
        organization_id = provisioned.organization_id
        try:
            with self._uow() as uow:
                created = create_organization(
                    uow,
                    NewOrganization(
                        id=organization_id,
                        slug=slug,
                        name=name,
                        owner_user_id=owner_user_id,
                        owner_email=provisioned.owner_email,
                        owner_is_active=True,
                        default_role=default_role or MemberRole.MEMBER,
                    ),
                )
                uow.commit()
            return created
        except BaseException:
            self._release(organization_id)
            raise

    def _release(self, organization_id: int) -> None:
        try:
            self._mappings.delete(organization_id=organization_id)
        except SiloError as error:
            log.warning(
                "could not release provisioning of organization %s (reconciliation will): %s",
                organization_id,
                error,
            )

    def get_organization_by_id(self, *, organization_id: int) -> Organization:
        with self._uow(read_only=True) as uow:
            return to_organization(require_organization(uow.session, organization_id))

    def get_organization_by_slug(self, *, slug: str) -> Organization:
        with self._uow(read_only=True) as uow:
            row = uow.session.scalars(
                select(OrganizationRow).where(OrganizationRow.slug == slug)
            ).first()
            if row is None:
                raise NotFound(f"no organization in this region has slug {slug!r}", field="slug")
            return to_organization(row)

    def get_default_organization(self) -> Organization | None:
        with self._uow(read_only=True) as uow:
            row = uow.session.scalars(
                select(OrganizationRow)
                .where(OrganizationRow.status == int(OrganizationStatus.ACTIVE))
                .order_by(OrganizationRow.id)
                .limit(1)
            ).first()
            return to_organization(row) if row is not None else None

    def update_organization_slug(self, *, organization_id: int, slug: str) -> Organization:
        slugs.organization_slug(slug)
        with self._uow(read_only=True) as uow:
            current = require_organization(uow.session, organization_id)
            if current.slug == slug:
                return to_organization(current)
        # The control silo reserves the slug as a temporary alias, has this region take it
        # (rename_from_reservation) and only then moves its primary reservation: the two silos
        # never disagree for good, whatever fails in between.
        self._provisioning.update_organization_slug(
            organization_id=organization_id, slug=slug, region_name=self._region
        )
        with self._uow(read_only=True) as uow:
            return to_organization(require_organization(uow.session, organization_id))
