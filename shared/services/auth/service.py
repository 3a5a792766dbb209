"""The auth service interface."""

from __future__ import annotations

import abc

from shared.services.auth.model import AuthIdentity, AuthProvider
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
    def create_auth_identity(
        self, *, auth_provider_id: int, user_id: int, ident: str, data_json: str = "{}"
    ) -> AuthIdentity:
        """Links a user to an identity of a provider.

        :raises NotFound: no such provider or user (naming the field).
        :raises InvalidArgument: an empty or over-long ident, or data that is not a JSON object.
        :raises AlreadyExists: the provider already has this ident, or already links this user.
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
