"""Contract: the provider half of the auth service (Sentry's config lookups, SSO setups, SCIM,
updates and removal), locally and over gRPC."""

from __future__ import annotations

import json

import pytest

from shared.errors import InvalidArgument, NotFound
from shared.services.auth.model import AuthProviderFlag
from shared.services.auth.service import AuthService
from tests.contract.conftest import MakeUser, RowCounts


def test_provider_with_config(auth_service: AuthService) -> None:
    first = auth_service.create_auth_provider(
        organization_id=30, provider="saml2", config_json='{"idp": {"a": 1}, "x": true}'
    )
    auth_service.create_auth_provider(
        organization_id=31, provider="saml2", config_json='{"idp": {"a": 2}}'
    )
    found = auth_service.get_auth_provider_with_config(
        provider="saml2", config_json='{"x": true, "idp": {"a": 1}}'
    )
    assert found == first
    assert (
        auth_service.get_auth_provider_with_config(provider="okta", config_json='{"x": true}')
        is None
    )
    with pytest.raises(InvalidArgument) as bad:
        auth_service.get_auth_provider_with_config(provider="saml2", config_json="[]")
    assert bad.value.field == "config_json"


def test_org_auth_config(auth_service: AuthService) -> None:
    provider = auth_service.create_auth_provider(organization_id=40, provider="google")
    configs = auth_service.get_org_auth_config(organization_ids=[41, 40, 41])
    assert [(c.organization_id, c.auth_provider, c.has_api_key) for c in configs] == [
        (41, None, False),
        (40, provider, False),
        (41, None, False),
    ]
    assert auth_service.get_org_auth_config(organization_ids=[]) == []


def test_update_provider_and_config(auth_service: AuthService, row_counts: RowCounts) -> None:
    provider = auth_service.create_auth_provider(organization_id=50, provider="saml2")
    auth_service.update_provider_config(
        organization_id=50, auth_provider_id=provider.id, config_json='{"sso": "x"}'
    )
    auth_service.update_provider(organization_id=50, auth_provider_id=provider.id, provider="okta")
    updated = auth_service.get_auth_provider(organization_id=50)
    assert updated is not None
    assert (updated.provider, json.loads(updated.config_json)) == ("okta", {"sso": "x"})
    before = row_counts()
    with pytest.raises(NotFound) as elsewhere:
        auth_service.update_provider_config(
            organization_id=51, auth_provider_id=provider.id, config_json="{}"
        )
    assert elsewhere.value.field == "auth_provider_id"
    with pytest.raises(NotFound):
        auth_service.update_provider(organization_id=50, auth_provider_id=9999, provider="x")
    with pytest.raises(InvalidArgument) as empty:
        auth_service.update_provider(organization_id=50, auth_provider_id=provider.id, provider="")
    assert empty.value.field == "provider"
    assert row_counts() == before


def test_scim(auth_service: AuthService, make_user: MakeUser) -> None:
    admin = make_user("admin")
    first = auth_service.create_auth_provider(organization_id=61, provider="okta")
    second = auth_service.create_auth_provider(organization_id=60, provider="okta")
    assert auth_service.get_org_ids_with_scim() == []
    auth_service.change_scim(
        user_id=admin.id, provider_id=first.id, enabled=True, allow_unlinked=True
    )
    auth_service.change_scim(
        user_id=admin.id, provider_id=second.id, enabled=True, allow_unlinked=False
    )
    assert auth_service.get_org_ids_with_scim() == [60, 61]
    flags = auth_service.get_auth_provider(organization_id=61).flags  # type: ignore[union-attr]
    assert flags == AuthProviderFlag.SCIM_ENABLED | AuthProviderFlag.ALLOW_UNLINKED
    auth_service.change_scim(
        user_id=admin.id, provider_id=first.id, enabled=False, allow_unlinked=False
    )
    assert auth_service.get_org_ids_with_scim() == [60]
    assert auth_service.get_auth_provider(organization_id=61).flags == 0  # type: ignore[union-attr]
    with pytest.raises(NotFound) as no_provider:
        auth_service.change_scim(
            user_id=admin.id, provider_id=9999, enabled=True, allow_unlinked=False
        )
    assert no_provider.value.field == "provider_id"
    with pytest.raises(NotFound) as no_user:
        auth_service.change_scim(
            user_id=9999, provider_id=first.id, enabled=True, allow_unlinked=False
        )
    assert no_user.value.field == "user_id"


def test_disable_provider_removes_it_and_its_identities(
    auth_service: AuthService, make_user: MakeUser
) -> None:
    user = make_user("linked")
    provider = auth_service.create_auth_provider(organization_id=70, provider="saml2")
    other = auth_service.create_auth_provider(organization_id=71, provider="saml2")
    auth_service.create_auth_identity(auth_provider_id=provider.id, user_id=user.id, ident="a")
    kept = auth_service.create_auth_identity(auth_provider_id=other.id, user_id=user.id, ident="b")
    auth_service.disable_provider(provider_id=provider.id)
    assert auth_service.get_auth_provider(organization_id=70) is None
    assert auth_service.get_auth_identities(user_id=user.id) == [kept]
    auth_service.disable_provider(provider_id=provider.id)
    assert auth_service.get_auth_provider(organization_id=71) == other
