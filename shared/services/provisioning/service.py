"""The provisioning interface."""

from __future__ import annotations

import abc
from collections.abc import Mapping


class OrganizationProvisioningService(abc.ABC):
    """Reserves organization slugs and allocates organization ids for every region."""

    @abc.abstractmethod
    def provision_organization(
        self, *, slug: str, name: str, region_name: str, owner_user_id: int
    ) -> int:
        """Reserves ``slug`` for a new organization in ``region_name`` and returns its id, which
        is unique across every region. Records an unverified mapping in the same transaction.

        :raises InvalidArgument: a bad slug, name or region (naming the field).
        :raises NotFound: the owner does not exist (field ``owner_user_id``).
        :raises FailedPrecondition: the owner is not active.
        :raises AlreadyExists: the slug is taken in any region (field ``slug``).
        """

    @abc.abstractmethod
    def update_organization_slug(self, *, organization_id: int, slug: str, region_name: str) -> str:
        """Moves the organization's primary reservation and mapping to ``slug``; returns the
        previous slug.

        :raises NotFound: no such organization in that region.
        :raises AlreadyExists: another organization holds the slug.
        """

    @abc.abstractmethod
    def bulk_create_organization_slug_reservations(
        self, *, region_name: str, slug_mapping: Mapping[int, str]
    ) -> None:
        """Reserves slugs for organizations a region already holds (imports), all or nothing.

        :raises AlreadyExists: one of the slugs is taken (field ``slug_mapping``).
        """
