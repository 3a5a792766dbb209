"""The auth service interface."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from shared.services.auth.model import AuthIdentity, AuthProvider, OrganizationAuthConfig
from shared.services.user.model import User


class AuthService(abc.ABC):
    """Auth providers and identities. Every method raises ``shared.errors`` types."""

    @abc.abstractmethod
    def create_auth_provider(
        self, *, organization_id: int, provider: str, config_json: str = "{}"
    ) -> AuthProvider:
        """Attaches a provider to an organization.

        :raises InvalidArgument: an empty provider name or a config that is not a JSON object.
        :raises AlreadyExists: the organization has a provider (field ``organization_id``).
        """

    @abc.abstractmethod
    def get_auth_provider(self, *, organization_id: int) -> AuthProvider | None:
        """Returns the organization's provider, or None."""

    @abc.abstractmethod
    def get_auth_provider_with_config(
        self, *, provider: str, config_json: str
    ) -> AuthProvider | None:
        """Returns the first provider (by id) of that name whose config equals ``config_json``,
        or None.

        :raises InvalidArgument: a config that is not a JSON object (field ``config_json``).
        """

    @abc.abstractmethod
    def get_org_auth_config(
        self, *, organization_ids: Sequence[int]
    ) -> list[OrganizationAuthConfig]:
        """Returns each organization's sign-on setup, in the order asked (repeats kept).

        :raises InvalidArgument: more than 1000 ids (field ``organization_ids``).
        """

    @abc.abstractmethod
    def get_org_ids_with_scim(self) -> list[int]:
        """Returns the organizations whose provider has SCIM enabled, ascending."""

    @abc.abstractmethod
    def update_provider_config(
        self, *, organization_id: int, auth_provider_id: int, config_json: str
    ) -> None:
        """Replaces the config of the organization's provider.

        :raises NotFound: the organization has no provider with that id (field
            ``auth_provider_id``).
        :raises InvalidArgument: a config that is not a JSON object.
        """

    @abc.abstractmethod
    def update_provider(
        self, *, organization_id: int, auth_provider_id: int, provider: str
    ) -> None:
        """Changes which kind of provider the organization's provider is (its name).

        :raises NotFound: the organization has no provider with that id.
        :raises InvalidArgument: an empty or over-long provider name.
        """

    @abc.abstractmethod
    def disable_provider(self, *, provider_id: int) -> None:
        """Removes the provider with its identities, telling the users' regions (as Sentry
        deletes it); nothing when it does not exist."""

    @abc.abstractmethod
    def change_scim(
        self, *, user_id: int, provider_id: int, enabled: bool, allow_unlinked: bool
    ) -> None:
        """Turns SCIM on or off for the provider and sets whether members may stay unlinked
        (the provider's flags; ``user_id`` is the user asking).

        :raises NotFound: no such provider (field ``provider_id``) or user (field ``user_id``).
        """

    @abc.abstractmethod
    def create_auth_identity(
        self,
        *,
        user_id: int,
        ident: str,
        auth_provider_id: int = 0,
        data_json: str = "{}",
        provider: str = "",
        config_json: str = "",
        equiv_email: str = "",
    ) -> AuthIdentity | None:
        """Links a user to an identity of a provider, as Sentry does: the provider is
        ``auth_provider_id``, or else the first one named ``provider`` with config
        ``config_json``; an unknown provider is a quiet no-op (None), and a user the provider
        already links keeps that identity (returned unchanged). ``equiv_email`` is recorded as
        the identity's ``email``.

        :raises NotFound: no such user (field ``user_id``).
        :raises InvalidArgument: an empty or over-long ident, data or config that is not a JSON
            object, or neither a provider id nor a provider name.
        :raises AlreadyExists: the provider links this ident to another user (field ``ident``).
        """

    @abc.abstractmethod
    def get_auth_identities(self, *, user_id: int) -> list[AuthIdentity]:
        """Lists a user's identities, ordered by id."""

    @abc.abstractmethod
    def get_user_by_ident(self, *, auth_provider_id: int, ident: str) -> User | None:
        """Returns the user linked to (provider, ident), or None."""

    @abc.abstractmethod
    def delete_auth_identity(self, *, auth_identity_id: int) -> None:
        """Deletes an identity.

        :raises NotFound: no identity has that id.
        """
