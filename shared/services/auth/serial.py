"""Conversions between auth values and their protobuf messages."""

from __future__ import annotations

from shared.generated.silo.auth.v1 import auth_pb2 as pb
from shared.rpc.timestamps import from_timestamp, to_timestamp
from shared.services.auth.model import AuthIdentity, AuthProvider


def provider_to_pb(provider: AuthProvider) -> pb.AuthProvider:
    """The wire form of an auth provider."""
    return pb.AuthProvider(
        id=provider.id,
        organization_id=provider.organization_id,
        provider=provider.provider,
        config_json=provider.config_json,
        date_added=to_timestamp(provider.date_added),
        default_role=provider.default_role,
        default_global_access=provider.default_global_access,
        flags=provider.flags,
    )


def provider_from_pb(message: pb.AuthProvider) -> AuthProvider:
    """The auth provider a wire message describes."""
    return AuthProvider(
        id=message.id,
        organization_id=message.organization_id,
        provider=message.provider,
        config_json=message.config_json,
        date_added=from_timestamp(message.date_added),
        default_role=message.default_role,
        default_global_access=message.default_global_access,
        flags=message.flags,
    )


def identity_to_pb(identity: AuthIdentity) -> pb.AuthIdentity:
    """The wire form of an auth identity."""
    return pb.AuthIdentity(
        id=identity.id,
        user_id=identity.user_id,
        auth_provider_id=identity.auth_provider_id,
        ident=identity.ident,
        data_json=identity.data_json,
        date_added=to_timestamp(identity.date_added),
        last_verified=to_timestamp(identity.last_verified),
    )


def identity_from_pb(message: pb.AuthIdentity) -> AuthIdentity:
    """The auth identity a wire message describes."""
    return AuthIdentity(
        id=message.id,
        user_id=message.user_id,
        auth_provider_id=message.auth_provider_id,
        ident=message.ident,
        data_json=message.data_json,
        date_added=from_timestamp(message.date_added),
        last_verified=from_timestamp(message.last_verified),
    )
