"""Contract: the auth service, locally and over gRPC."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from shared.errors import AlreadyExists, InvalidArgument, NotFound
from shared.services.auth.service import AuthService
from tests.contract.conftest import MakeUser, RowCounts


def test_provider_lifecycle(auth_service: AuthService) -> None:
    assert auth_service.get_auth_provider(organization_id=10) is None
    created = auth_service.create_auth_provider(
        organization_id=10, provider="okta", config_json='{"domain": "corp.example"}'
    )
    assert (created.organization_id, created.provider) == (10, "okta")
    assert json.loads(created.config_json) == {"domain": "corp.example"}
    assert created.default_role == 50 and created.default_global_access
    assert auth_service.get_auth_provider(organization_id=10) == created


def test_one_provider_per_organization(auth_service: AuthService, row_counts: RowCounts) -> None:
    auth_service.create_auth_provider(organization_id=11, provider="okta")
    before = row_counts()
    with pytest.raises(AlreadyExists) as raised:
        auth_service.create_auth_provider(organization_id=11, provider="google")
    assert raised.value.field == "organization_id"
    assert row_counts() == before


@pytest.mark.parametrize(
    ("organization_id", "provider", "config", "field"),
    [
        (0, "okta", "{}", "organization_id"),
        (12, "", "{}", "provider"),
        (12, "okta", "[1, 2]", "config_json"),
        (12, "okta", "{broken", "config_json"),
    ],
)
def test_provider_bad_input(
    auth_service: AuthService,
    row_counts: RowCounts,
    organization_id: int,
    provider: str,
    config: str,
    field: str,
) -> None:
    before = row_counts()
    with pytest.raises(InvalidArgument) as raised:
        auth_service.create_auth_provider(
            organization_id=organization_id, provider=provider, config_json=config
        )
    assert raised.value.field == field
    assert row_counts() == before


def test_identity_lifecycle(auth_service: AuthService, make_user: MakeUser) -> None:
    user = make_user("sso")
    provider = auth_service.create_auth_provider(organization_id=20, provider="saml")
    identity = auth_service.create_auth_identity(
        auth_provider_id=provider.id, user_id=user.id, ident="sso|1", data_json='{"name": "S"}'
    )
    assert identity is not None
    assert (identity.user_id, identity.ident) == (user.id, "sso|1")
    assert auth_service.get_auth_identities(user_id=user.id) == [identity]
    found = auth_service.get_user_by_ident(auth_provider_id=provider.id, ident="sso|1")
    assert found is not None and found.id == user.id
    assert auth_service.get_user_by_ident(auth_provider_id=provider.id, ident="sso|2") is None
    auth_service.delete_auth_identity(auth_identity_id=identity.id)
    assert auth_service.get_auth_identities(user_id=user.id) == []
    with pytest.raises(NotFound) as raised:
        auth_service.delete_auth_identity(auth_identity_id=identity.id)
    assert raised.value.field == "auth_identity_id"


def test_identity_uniqueness(
    auth_service: AuthService, make_user: MakeUser, row_counts: RowCounts
) -> None:
    first, second = make_user("one"), make_user("two")
    provider = auth_service.create_auth_provider(organization_id=21, provider="saml")
    auth_service.create_auth_identity(auth_provider_id=provider.id, user_id=first.id, ident="x")
    before = row_counts()
    with pytest.raises(AlreadyExists) as same_ident:
        auth_service.create_auth_identity(
            auth_provider_id=provider.id, user_id=second.id, ident="x"
        )
    assert same_ident.value.field == "ident"
    # As in Sentry, a user the provider links already keeps its identity: a quiet no-op.
    kept = auth_service.create_auth_identity(
        auth_provider_id=provider.id, user_id=first.id, ident="y"
    )
    assert kept is not None and (kept.user_id, kept.ident) == (first.id, "x")
    assert row_counts() == before


def test_identity_missing_references(
    auth_service: AuthService, make_user: MakeUser, row_counts: RowCounts
) -> None:
    user = make_user("ref")
    provider = auth_service.create_auth_provider(organization_id=22, provider="saml")
    before = row_counts()
    # As in Sentry, an unknown provider is a quiet no-op.
    assert (
        auth_service.create_auth_identity(auth_provider_id=98765, user_id=user.id, ident="a")
        is None
    )
    assert (
        auth_service.create_auth_identity(
            provider="saml", config_json='{"other": 1}', user_id=user.id, ident="a"
        )
        is None
    )
    with pytest.raises(NotFound) as no_user:
        auth_service.create_auth_identity(auth_provider_id=provider.id, user_id=98765, ident="a")
    assert no_user.value.field == "user_id"
    with pytest.raises(InvalidArgument) as bad_data:
        auth_service.create_auth_identity(
            auth_provider_id=provider.id, user_id=user.id, ident="a", data_json="3"
        )
    assert bad_data.value.field == "data_json"
    with pytest.raises(InvalidArgument) as empty_ident:
        auth_service.create_auth_identity(auth_provider_id=provider.id, user_id=user.id, ident="")
    assert empty_ident.value.field == "ident"
    assert row_counts() == before


def test_missing_ids_are_invalid(auth_service: AuthService, row_counts: RowCounts) -> None:
    before = row_counts()
    calls: dict[str, Callable[[], object]] = {
        "auth_provider_id": lambda: auth_service.create_auth_identity(
            auth_provider_id=0, user_id=1, ident="a"
        ),
        "user_id": lambda: auth_service.get_auth_identities(user_id=0),
        "auth_identity_id": lambda: auth_service.delete_auth_identity(auth_identity_id=0),
        "organization_id": lambda: auth_service.get_auth_provider(organization_id=-3),
    }
    for field, call in calls.items():
        with pytest.raises(InvalidArgument) as raised:
            call()
        assert raised.value.field == field
    assert row_counts() == before


def test_identity_by_provider_name_and_config(
    auth_service: AuthService, make_user: MakeUser
) -> None:
    user = make_user("named")
    provider = auth_service.create_auth_provider(
        organization_id=23, provider="okta", config_json='{"domain": "a.example"}'
    )
    created = auth_service.create_auth_identity(
        provider="okta",
        config_json='{"domain": "a.example"}',
        user_id=user.id,
        ident="okta|1",
        equiv_email="named@a.example",
    )
    assert created is not None and created.auth_provider_id == provider.id
    assert json.loads(created.data_json) == {"email": "named@a.example"}
    with pytest.raises(InvalidArgument) as neither:
        auth_service.create_auth_identity(user_id=user.id, ident="x")
    assert neither.value.field == "auth_provider_id"
