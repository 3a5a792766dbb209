"""Interfaces of the organization mapping services (owned by the control silo)."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from shared.services.organization_mapping.model import (
    MemberMappingUpdate,
    OrganizationMapping,
    OrganizationMappingUpdate,
)


class OrganizationMappingService(abc.ABC):
    """Where each organization lives. Every method raises ``shared.errors`` types."""

    @abc.abstractmethod
    def get(self, *, organization_id: int) -> OrganizationMapping:
        """One mapping.

        :raises NotFound: no mapping for that organization (field ``organization_id``).
        """

    @abc.abstractmethod
    def get_many(self, *, organization_ids: Sequence[int]) -> list[OrganizationMapping]:
        """The mappings of these organizations, ordered by organization id; unknown ids left out.

        :raises InvalidArgument: more than 1000 ids.
        """

    @abc.abstractmethod
    def get_by_slug(self, *, slug: str) -> OrganizationMapping:
        """The mapping holding ``slug``.

        :raises NotFound: no organization has that slug (field ``slug``).
        """

    @abc.abstractmethod
    def upsert(self, *, update: OrganizationMappingUpdate) -> bool:
        """Records a region's state of an organization; False (and nothing written) when a newer
        version is recorded, or when no reservation of the organization holds the slug in that
        region (Sentry skips such an upsert too).

        :raises InvalidArgument: a bad slug, name or region.
        :raises AlreadyExists: another organization holds the slug.
        """

    @abc.abstractmethod
    def delete(self, *, organization_id: int) -> None:
        """Removes an organization's mapping, memberships and reservations (no-op if absent)."""


class OrganizationMemberMappingService(abc.ABC):
    """Memberships mirrored from regions, for listing a user's organizations."""

    @abc.abstractmethod
    def upsert_member(self, *, update: MemberMappingUpdate) -> bool:
        """Records a membership; False when a newer version is recorded."""

    @abc.abstractmethod
    def delete_member(
        self, *, organization_id: int, organizationmember_id: int, version: int
    ) -> bool:
        """Removes a membership's mapping; False when a newer version is recorded."""
