"""The auth service over gRPC."""

from __future__ import annotations

import grpc

from shared.generated.silo.auth.v1 import auth_pb2 as pb
from shared.generated.silo.auth.v1 import auth_pb2_grpc
from shared.rpc.channel import DEFAULT_TIMEOUT_SECONDS, call
from shared.services.auth.model import AuthIdentity, AuthProvider
from shared.services.auth.serial import identity_from_pb, provider_from_pb
from shared.services.auth.service import AuthService
from shared.services.user.model import User
from shared.services.user.serial import user_from_pb


class AuthServiceClient(AuthService):
    """Calls ``silo.auth.v1.AuthService`` with a deadline on every call."""

    def __init__(self, channel: grpc.Channel, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._stub = auth_pb2_grpc.AuthServiceStub(channel)
        self._timeout = timeout

    def create_auth_provider(
        self, *, organization_id: int, provider: str, config_json: str = "{}"
    ) -> AuthProvider:
        request = pb.CreateAuthProviderRequest(
            organization_id=organization_id, provider=provider, config_json=config_json
        )
        response = call(self._stub.CreateAuthProvider, request, timeout=self._timeout)
        return provider_from_pb(response.auth_provider)

    def get_auth_provider(self, *, organization_id: int) -> AuthProvider | None:
        request = pb.GetAuthProviderRequest(organization_id=organization_id)
        response = call(self._stub.GetAuthProvider, request, timeout=self._timeout)
        return (
            provider_from_pb(response.auth_provider) if response.HasField("auth_provider") else None
        )

    def create_auth_identity(
        self, *, auth_provider_id: int, user_id: int, ident: str, data_json: str = "{}"
    ) -> AuthIdentity:
        request = pb.CreateAuthIdentityRequest(
            auth_provider_id=auth_provider_id, user_id=user_id, ident=ident, data_json=data_json
        )
        response = call(self._stub.CreateAuthIdentity, request, timeout=self._timeout)
        return identity_from_pb(response.auth_identity)

    def get_auth_identities(self, *, user_id: int) -> list[AuthIdentity]:
        request = pb.GetAuthIdentitiesRequest(user_id=user_id)
        response = call(self._stub.GetAuthIdentities, request, timeout=self._timeout)
        return [identity_from_pb(identity) for identity in response.auth_identities]

    def get_user_by_ident(self, *, auth_provider_id: int, ident: str) -> User | None:
        request = pb.GetUserByIdentRequest(auth_provider_id=auth_provider_id, ident=ident)
        response = call(self._stub.GetUserByIdent, request, timeout=self._timeout)
        return user_from_pb(response.user) if response.HasField("user") else None

    def delete_auth_identity(self, *, auth_identity_id: int) -> None:
        request = pb.DeleteAuthIdentityRequest(auth_identity_id=auth_identity_id)
        call(self._stub.DeleteAuthIdentity, request, timeout=self._timeout)
