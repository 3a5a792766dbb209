"""The provisioning interface."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SlugUpdate:
    """The outcome of a rename: the slug the organization held before and the one it holds now
    (they differ from the slug asked for only when ``require_exact`` was false)."""

    previous_slug: str
    slug: str


@dataclass(frozen=True)
class OwnerProvision:
    """A provisioned organization's id and its owner's primary email, as the provisioning
    transaction read it (the owner was active then)."""

    organization_id: int
    owner_email: str


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
    def provision_organization_for_owner(
        self, *, slug: str, name: str, region_name: str, owner_user_id: int
    ) -> OwnerProvision:
        """``provision_organization``, answering also the owner's primary email, which a region
        copies into the owner's membership (so it needs no separate read of the owner).

        :raises InvalidArgument: a bad slug, name or region (naming the field).
        :raises NotFound: the owner does not exist (field ``owner_user_id``).
        :raises FailedPrecondition: the owner is not active (field ``owner_user_id``).
        :raises AlreadyExists: the slug is taken in any region (field ``slug``).
        """

    @abc.abstractmethod
    def update_organization_slug(
        self, *, organization_id: int, slug: str, region_name: str, require_exact: bool = True
    ) -> SlugUpdate:
        """Renames the organization as Sentry does: reserves ``slug`` as a temporary rename
        alias, asks the region to take it, and once the region has, moves the primary
        reservation and the mapping to it and drops the alias. Without ``require_exact`` a taken
        slug gets a random suffix instead of failing. A region that cannot be reached leaves the
        rename in flight; the control silo's outbox finishes it when the region answers.

        :raises InvalidArgument: a bad slug or region.
        :raises NotFound: no such organization in that region (field ``organization_id``).
        :raises FailedPrecondition: another rename of the organization is in flight (field
            ``organization_id``), or the region refused the slug (field ``slug``).
        :raises AlreadyExists: another organization holds the slug (field ``slug``).
        :raises Unavailable: the region did not answer; the rename finishes later.
        """

    @abc.abstractmethod
    def bulk_create_organization_slug_reservations(
        self, *, region_name: str, slug_mapping: Mapping[int, str]
    ) -> dict[int, str]:
        """Reserves a slug for each organization (id -> slug asked for) of ``region_name``, as
        Sentry does for imports: never failing on a collision, a taken slug gets a random
        suffix, a reserved or empty one a random slug (slugs made from the text asked for, cut to
        30 characters). An organization already reserved in the region keeps its slug. Returns
        organization id -> the slug it got.

        :raises InvalidArgument: a bad region or organization id, or more than 1000 organizations.
        :raises FailedPrecondition: an organization is reserved in another region.
        """
