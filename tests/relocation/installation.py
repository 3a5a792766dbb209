"""A whole installation written as a Sentry export: users with emails, options, roles, second
factors and SSO identities, and organizations with options, members, invites, teams, projects and
tokens. Every model Silo keeps appears, in Sentry's dependency order."""

from __future__ import annotations

import hashlib
from typing import Any

from shared.relocation.models import EXPORT_ORDER

Record = dict[str, Any]
WHEN = "2023-06-22T22:59:55.488Z"
LATER = "2023-07-01T08:00:00.120Z"
PASSWORD = "pbkdf2_sha256$150000$iEvdIknqYjTr$+QsGn0tfIJ1FZLxQI37mVU1gL2KbL/wqjMtG/dFhsMA="


def _record(model: str, pk: int, **fields: Any) -> Record:
    return {"model": f"sentry.{model}", "pk": pk, "fields": fields}


def _user(pk: int, username: str, *, staff: bool = False) -> Record:
    return _record(
        "user",
        pk,
        password=PASSWORD,
        last_login=LATER,
        username=username,
        name=username.title(),
        email=f"{username}@example.com",
        is_staff=staff,
        is_active=True,
        is_superuser=staff,
        is_managed=False,
        is_sentry_app=None,
        is_password_expired=False,
        is_unclaimed=False,
        last_password_change=WHEN,
        flags="0",
        session_nonce=None,
        date_joined=WHEN,
        last_active=LATER,
        avatar_type=0,
        avatar_url=None,
    )


def _users(count: int) -> list[Record]:
    records: list[Record] = []
    for pk in range(1, count + 1):
        name = f"user{pk}"
        records += [
            _user(pk, name, staff=pk == 1),
            _record("email", pk, email=f"{name}@example.com", date_added=WHEN),
            _record(
                "useremail",
                pk,
                user=pk,
                email=f"{name}@example.com",
                validation_hash=f"{pk:032d}",
                date_hash_added=WHEN,
                is_verified=pk % 2 == 1,
            ),
            _record(
                "useroption",
                pk,
                user=pk,
                project_id=None,
                organization_id=None,
                key="timezone",
                value='"Europe/Vienna"',
            ),
            _record(
                "userip",
                pk,
                user=pk,
                ip_address=f"10.0.0.{pk}",
                country_code="AT",
                region_code="9",
                first_seen=WHEN,
                last_seen=LATER,
            ),
        ]
    records += [
        _record("userpermission", 1, user=1, permission="users.admin"),
        _record(
            "userrole",
            1,
            date_updated=LATER,
            date_added=WHEN,
            name="Super Admin",
            permissions="['users.admin']",
        ),
        _record("userroleuser", 1, date_updated=LATER, date_added=WHEN, user=1, role=1),
        _record(
            "authenticator",
            1,
            user=1,
            created_at=WHEN,
            last_used_at=None,
            type=1,
            config='{"secret":"JBSWY3DPEHPK3PXP"}',
        ),
    ]
    return records


def _organization(pk: int, slug: str, members: list[int], first_member: int) -> list[Record]:
    """An organization with ``members`` (user pks, the first its owner), an invite, one team with
    every member, one project on it, an option and a token. Member and team pks start at
    ``first_member`` and ``pk``."""
    records = [
        _record(
            "organization",
            pk,
            name=slug.title(),
            slug=slug,
            status=0,
            date_added=WHEN,
            default_role="member",
            is_test=False,
            flags="1",
        ),
        _record(
            "organizationoption", pk, organization=pk, key="sentry:require_scrub_data", value=True
        ),
        _record(
            "team",
            pk,
            organization=pk,
            slug=f"{slug}-team",
            name="Team",
            status=0,
            idp_provisioned=False,
            date_added=WHEN,
        ),
        _record(
            "project",
            pk,
            slug=f"{slug}-app",
            name="App",
            forced_color=None,
            organization=pk,
            public=False,
            date_added=WHEN,
            status=0,
            first_event=None,
            flags="10",
            platform="python",
        ),
        _record("projectteam", pk, project=pk, team=pk),
        _record(
            "orgauthtoken",
            pk,
            organization_id=pk,
            token_hashed=hashlib.sha256(f"sntrys_{slug}".encode()).hexdigest(),
            token_last_characters="abcd",
            name="CI",
            scope_list="['org:ci']",
            created_by=members[0],
            date_added=WHEN,
            date_last_used=None,
            project_last_used_id=pk,
            date_deactivated=None,
        ),
    ]
    member_pk = first_member
    for index, user_pk in enumerate(members):
        records += [
            _member(member_pk, pk, user_pk, role="owner" if index == 0 else "member"),
            _record(
                "organizationmemberteam",
                member_pk,
                team=pk,
                organizationmember=member_pk,
                is_active=True,
                role=None,
            ),
        ]
        member_pk += 1
    invite = _member(member_pk, pk, None, role="member", inviter=members[0])
    invite["fields"].update(
        email=f"invited-to-{slug}@example.com",
        invite_status=1,
        token=hashlib.sha256(slug.encode()).hexdigest(),
        user_email=None,
    )
    records.append(invite)
    return records


def _member(
    pk: int, organization: int, user: int | None, *, role: str, inviter: int | None = None
) -> Record:
    return _record(
        "organizationmember",
        pk,
        organization=organization,
        user_id=user,
        email=None,
        role=role,
        flags="0",
        token=None,
        date_added=WHEN,
        token_expires_at=None,
        has_global_access=True,
        inviter_id=inviter,
        invite_status=0,
        type=50,
        user_is_active=True,
        user_email=None if user is None else f"user{user}@example.com",
    )


def installation(
    users: int = 6, organizations: tuple[str, ...] = ("acme", "globex")
) -> list[Record]:
    """The export: ``users`` users (user1 is staff with a permission, a role and a second
    factor) and one organization per slug, each with two members (its index's users), an invite,
    a team, a project and a token; an SSO provider on the first organization with an identity."""
    records = _users(users)
    next_member = 1
    for index, slug in enumerate(organizations):
        pk = index + 1
        members = [pk, pk + 1]
        records += _organization(pk, slug, members, next_member)
        next_member += len(members) + 1
    records += [
        _record(
            "authprovider",
            1,
            organization_id=1,
            provider="saml2",
            config={"idp": {"entity_id": "https://idp.example.com"}},
            date_added=WHEN,
            sync_time=None,
            last_sync=None,
            default_role=50,
            default_global_access=True,
            flags="0",
        ),
        _record(
            "authidentity",
            1,
            user=1,
            auth_provider=1,
            ident="user1@idp",
            data={"name": "User One"},
            last_verified=WHEN,
            last_synced=WHEN,
            date_added=WHEN,
        ),
    ]
    return sorted(records, key=lambda r: (EXPORT_ORDER.index(r["model"]), r["pk"]))
