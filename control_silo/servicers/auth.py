"""Serves ``silo.auth.v1.AuthService`` from an ``AuthService`` implementation."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from shared.generated.silo.auth.v1 import auth_pb2 as pb
from shared.generated.silo.auth.v1 import auth_pb2_grpc
from shared.rpc.server import Registration
from shared.services.auth.serial import identity_to_pb, provider_to_pb
from shared.services.auth.service import AuthService
from shared.services.user.serial import user_to_pb


class AuthServicer(auth_pb2_grpc.AuthServiceServicer):
    """Adapts the wire API to an ``AuthService``."""

    def __init__(self, service: AuthService) -> None:
        self._service = service

    def CreateAuthProvider(
        self, request: pb.CreateAuthProviderRequest, context: grpc.ServicerContext
    ) -> pb.CreateAuthProviderResponse:
        provider = self._service.create_auth_provider(
            organization_id=request.organization_id,
            provider=request.provider,
            config_json=request.config_json or "{}",
        )
        return pb.CreateAuthProviderResponse(auth_provider=provider_to_pb(provider))

    def GetAuthProvider(
        self, request: pb.GetAuthProviderRequest, context: grpc.ServicerContext
    ) -> pb.GetAuthProviderResponse:
        provider = self._service.get_auth_provider(organization_id=request.organization_id)
        return pb.GetAuthProviderResponse(
            auth_provider=provider_to_pb(provider) if provider else None
        )

    def CreateAuthIdentity(
        self, request: pb.CreateAuthIdentityRequest, context: grpc.ServicerContext
    ) -> pb.CreateAuthIdentityResponse:
        identity = self._service.create_auth_identity(
            auth_provider_id=request.auth_provider_id,
            user_id=request.user_id,
            ident=request.ident,
            data_json=request.data_json or "{}",
        )
        return pb.CreateAuthIdentityResponse(auth_identity=identity_to_pb(identity))

    def GetAuthIdentities(
        self, request: pb.GetAuthIdentitiesRequest, context: grpc.ServicerContext
    ) -> pb.GetAuthIdentitiesResponse:
        identities = self._service.get_auth_identities(user_id=request.user_id)
        return pb.GetAuthIdentitiesResponse(auth_identities=[identity_to_pb(i) for i in identities])

    def GetUserByIdent(
        self, request: pb.GetUserByIdentRequest, context: grpc.ServicerContext
    ) -> pb.GetUserByIdentResponse:
        user = self._service.get_user_by_ident(
            auth_provider_id=request.auth_provider_id, ident=request.ident
        )
        return pb.GetUserByIdentResponse(user=user_to_pb(user) if user else None)

    def DeleteAuthIdentity(
        self, request: pb.DeleteAuthIdentityRequest, context: grpc.ServicerContext
    ) -> pb.DeleteAuthIdentityResponse:
        self._service.delete_auth_identity(auth_identity_id=request.auth_identity_id)
        return pb.DeleteAuthIdentityResponse()


def registration(service: AuthService) -> Registration:
    """A server registration for the auth service."""

    def register(server: grpc.Server) -> Sequence[str]:
        auth_pb2_grpc.add_AuthServiceServicer_to_server(AuthServicer(service), server)
        return [pb.DESCRIPTOR.services_by_name["AuthService"].full_name]

    return register
