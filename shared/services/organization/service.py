"""The organization service interface (owned by each region silo)."""

from __future__ import annotations

import abc

from shared.services.organization.model import (
    MemberRole,
    Organization,
    OrganizationMember,
    Team,
)


class OrganizationService(abc.ABC):
    """Organizations, members and teams of one region. Every method raises ``shared.errors``."""

    @abc.abstractmethod
    def create_organization(
        self, *, slug: str, name: str, owner_user_id: int, default_role: MemberRole | None = None
    ) -> Organization:
        """Provisions slug and id through the control silo, then creates the organization, the
        owner's membership and a default team.

        :raises InvalidArgument: a bad slug, name or role (naming the field).
        :raises NotFound: the owner does not exist (field ``owner_user_id``).
        :raises FailedPrecondition: the owner is not active.
        :raises AlreadyExists: the slug is taken in any region.
        """

    @abc.abstractmethod
    def get_organization_by_id(self, *, organization_id: int) -> Organization:
        """:raises NotFound: no organization of this region has that id."""

    @abc.abstractmethod
    def get_organization_by_slug(self, *, slug: str) -> Organization:
        """:raises NotFound: no organization of this region has that slug."""

    @abc.abstractmethod
    def get_default_organization(self) -> Organization | None:
        """The oldest active organization of the region, if any."""

    @abc.abstractmethod
    def update_organization_slug(self, *, organization_id: int, slug: str) -> Organization:
        """Moves the organization to ``slug``: the control silo reserves it as a temporary
        rename alias, has this region take it, then moves its primary reservation and mapping.

        :raises InvalidArgument: a bad slug.  :raises AlreadyExists: the slug is taken.
        :raises NotFound: no such organization here.
        :raises FailedPrecondition: another rename of the organization is in flight, or this
            region refused the slug.
        :raises Unavailable: the control silo could not finish; the rename completes later.
        """

    @abc.abstractmethod
    def add_organization_member(
        self,
        *,
        organization_id: int,
        role: MemberRole,
        user_id: int | None = None,
        email: str | None = None,
        inviter_id: int | None = None,
    ) -> OrganizationMember:
        """Adds an existing user, or invites an email.

        :raises InvalidArgument: neither or both of user_id and email, or a bad email.
        :raises NotFound: no such organization or user.
        :raises AlreadyExists: the user or email is already a member.
        """

    @abc.abstractmethod
    def get_single_team(self, *, organization_id: int) -> Team | None:
        """The organization's team when it has exactly one."""

    @abc.abstractmethod
    def add_team_member(self, *, organization_id: int, team_id: int, member_id: int) -> None:
        """Puts a member on a team; adding twice changes nothing.

        :raises NotFound: the team or member is not in that organization.
        """

    @abc.abstractmethod
    def list_members(self, *, organization_id: int) -> list[OrganizationMember]:
        """Every member ordered by id, users hydrated from the control silo.

        :raises NotFound: no such organization.
        """

    @abc.abstractmethod
    def check_membership_by_id(
        self, *, organization_id: int, user_id: int
    ) -> OrganizationMember | None:
        """The user's membership, if any."""

    @abc.abstractmethod
    def check_membership_by_email(
        self, *, organization_id: int, email: str
    ) -> OrganizationMember | None:
        """The membership of an invited email or of a user with that email, if any."""

    @abc.abstractmethod
    def delete_organization_member(self, *, organization_id: int, member_id: int) -> None:
        """Removes a membership and its team links.

        :raises NotFound: no such member in that organization.
        """

    @abc.abstractmethod
    def update_region_user(self, *, user_id: int, is_active: bool, email: str) -> int:
        """Copies a user's active state and email onto its memberships; returns how many changed."""

    @abc.abstractmethod
    def remove_user(self, *, user_id: int) -> int:
        """Removes every membership of a user in this region; returns how many."""
