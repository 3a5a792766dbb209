"""The user service interface; the control silo implements it, every other silo calls it."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from shared.services.user.model import (
    NewUser,
    OrganizationSummary,
    User,
    UserAvatar,
    UserCreateResult,
    UserFilter,
    UserIdEmail,
    UserPage,
    UserProfile,
    UserUpdate,
    VerifyUserEmailResult,
)


class UserService(abc.ABC):
    """Users, their emails, permissions and roles. Every method raises ``shared.errors`` types."""

    @abc.abstractmethod
    def get_user(self, *, user_id: int) -> User:
        """Returns one user.

        :param user_id: the user's id.
        :raises NotFound: no user has that id (field ``user_id``).
        """

    @abc.abstractmethod
    def get_many_by_id(self, *, user_ids: Sequence[int]) -> list[User]:
        """Returns the users with these ids in the order asked; unknown ids are left out.

        :param user_ids: at most 1000 ids; repeated ids give repeated users.
        :raises InvalidArgument: more than 1000 ids (field ``user_ids``).
        """

    @abc.abstractmethod
    def get_many(self, *, filter: UserFilter, page_size: int = 0, page_token: str = "") -> UserPage:
        """Returns one page of the users matching ``filter``, ordered by id.

        :param filter: needs at least one of ``user_ids``, ``emails`` or ``organization_id``.
        :param page_size: 1 to 1000; 0 means 100.
        :param page_token: the ``next_page_token`` of the previous page, or empty.
        :raises InvalidArgument: an empty filter, a bad page size or a bad token.
        """

    @abc.abstractmethod
    def get_many_ids(self, *, filter: UserFilter) -> list[int]:
        """Returns the ids of every user matching ``filter``, ascending (Sentry's
        ``get_many_ids``: no paging).

        :raises InvalidArgument: a filter without ``user_ids``, ``emails`` or ``organization_id``.
        """

    @abc.abstractmethod
    def get_many_profiles(self, *, filter: UserFilter) -> list[UserProfile]:
        """Returns the profiles of every user matching ``filter``, ordered by id.

        :raises InvalidArgument: a filter without ``user_ids``, ``emails`` or ``organization_id``.
        """

    @abc.abstractmethod
    def serialize_many(self, *, filter: UserFilter, as_user_id: int | None = None) -> list[str]:
        """Returns every user matching ``filter``, ordered by id, in the shape of Sentry's user
        API (``id`` as text, ``name``, ``username``, ``email``, ``avatarUrl``, ``isActive``,
        ``hasPasswordAuth``, ``isManaged``, ``dateJoined``, ``lastLogin``, ``has2fa``,
        ``lastActive``, ``isSuperuser``, ``isStaff``, ``experiments``, ``emails`` and
        ``avatar``), each as JSON text; ``flags`` is added for the user ``as_user_id`` itself,
        as Sentry shows it only to the user.

        :raises InvalidArgument: a filter without ``user_ids``, ``emails`` or ``organization_id``.
        """

    @abc.abstractmethod
    def get_user_avatar(self, *, user_id: int) -> UserAvatar | None:
        """Returns the user's avatar row, or None when the user has none.

        :raises InvalidArgument: a user id that is not positive (field ``user_id``).
        """

    @abc.abstractmethod
    def trigger_user_consent_email_if_applicable(self, *, user_id: int) -> int:
        """Sets the user's newsletter consent prompt flag and asks for a confirmation email to
        each unverified address (Sentry sends them; here each request is a ``useremailrequest``
        row for a mailer, written with the flag in one transaction). Returns how many emails
        were requested.

        :raises NotFound: no user has that id (field ``user_id``).
        """

    @abc.abstractmethod
    def get_user_by_social_auth(
        self, *, organization_id: int, provider: str, external_id: str
    ) -> User | None:
        """Returns the user linked to ``external_id`` at the social-auth ``provider`` who is a
        member of the organization (the first such link by id), or None.

        :raises InvalidArgument: an id that is not positive, or an empty provider or external id.
        """

    @abc.abstractmethod
    def get_many_by_email(
        self,
        *,
        emails: Sequence[str],
        is_active: bool = True,
        is_verified: bool = True,
        organization_id: int | None = None,
    ) -> list[User]:
        """Returns one user per matching (user, email) pair; addresses compare case-insensitively.

        Each returned user's ``email`` is the address that matched.

        :param emails: the addresses to look for.
        :param is_active: only active users.
        :param is_verified: only verified addresses.
        :param organization_id: only members of this organization.
        """

    @abc.abstractmethod
    def get_by_username(
        self, *, username: str, with_valid_password: bool = True, is_active: bool | None = None
    ) -> list[User]:
        """Finds the user whose username matches case-insensitively; when none does and the text
        holds ``@``, the users whose primary email matches.

        :param username: the username or email to look up.
        :param with_valid_password: leave out users whose password is unusable.
        :param is_active: when set, only users with this active state.
        """

    @abc.abstractmethod
    def get_existing_usernames(self, *, usernames: Sequence[str]) -> list[str]:
        """Returns the usernames among ``usernames`` that exist, compared exactly."""

    @abc.abstractmethod
    def get_organizations(
        self, *, user_id: int, only_visible: bool = False
    ) -> list[OrganizationSummary]:
        """Lists the organizations, in any region, the user is a member of.

        :param only_visible: only organizations whose status is active.
        """

    @abc.abstractmethod
    def get_member_region_names(self, *, user_id: int) -> list[str]:
        """Lists the names of the regions in which the user has a membership."""

    @abc.abstractmethod
    def get_or_create_by_email(
        self, *, email: str, ident: str | None = None, referrer: str | None = None
    ) -> UserCreateResult:
        """Returns the active user owning ``email`` or creates one; concurrent callers with the
        same email get the same single user.

        :param email: a valid address.
        :param ident: an auth identity to prefer when several users share the email.
        :param referrer: where the sign-up came from.
        :raises InvalidArgument: a malformed email (field ``email``).
        """

    @abc.abstractmethod
    def get_user_by_email(self, *, email: str, ident: str | None = None) -> User | None:
        """Returns the active user owning ``email``: the one with an auth identity ``ident`` when
        several share it, else the one with the lowest id; None when there is none."""

    @abc.abstractmethod
    def create_user(self, *, user: NewUser) -> User:
        """Creates a user and a useremail row for its email.

        :raises InvalidArgument: a bad username, email, name or password hash (naming the field).
        :raises AlreadyExists: the username is taken, compared case-insensitively.
        """

    @abc.abstractmethod
    def update_user(self, *, user_id: int, update: UserUpdate) -> User:
        """Changes the fields set in ``update``; a new email also gets an unverified useremail,
        a new password is hashed (and clears ``is_password_expired``).

        :raises NotFound: no user has that id.
        :raises InvalidArgument: a bad value, naming the field.
        """

    @abc.abstractmethod
    def flush_nonce(self, *, user_id: int) -> None:
        """Replaces the user's session nonce, which ends all of its sessions.

        :raises NotFound: no user has that id.
        """

    @abc.abstractmethod
    def verify_user_email(self, *, user_id: int, email: str) -> bool:
        """Marks the user's address verified; True when it was unverified before."""

    @abc.abstractmethod
    def verify_any_email(self, *, email: str) -> bool:
        """Marks the first useremail with that address verified; True when it was unverified."""

    @abc.abstractmethod
    def verify_user_emails(
        self, *, user_id_emails: Sequence[UserIdEmail], only_verified: bool = False
    ) -> list[VerifyUserEmailResult]:
        """Tells, per (user, email) pair and in the order asked, whether the user has the email.

        :raises InvalidArgument: more than 1000 pairs.
        """

    @abc.abstractmethod
    def get_first_superuser(self) -> User | None:
        """Returns the active superuser with the lowest id, or None."""

    @abc.abstractmethod
    def add_permission(self, *, user_id: int, permission: str) -> None:
        """Grants a permission; granting one the user has changes nothing.

        :raises NotFound: no user has that id.
        :raises InvalidArgument: an empty or over-long permission name.
        """

    @abc.abstractmethod
    def remove_permission(self, *, user_id: int, permission: str) -> None:
        """Withdraws a permission; withdrawing one the user lacks changes nothing.

        :raises NotFound: no user has that id.
        """

    @abc.abstractmethod
    def add_user_role(self, *, user_id: int, role: str) -> None:
        """Gives the user a named role; giving one the user holds changes nothing.

        :raises NotFound: no such user (field ``user_id``) or role (field ``role``).
        """

    @abc.abstractmethod
    def remove_user_role(self, *, user_id: int, role: str) -> None:
        """Takes a named role from the user; taking one the user lacks changes nothing.

        :raises NotFound: no such user (field ``user_id``).
        """
