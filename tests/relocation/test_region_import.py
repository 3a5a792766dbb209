"""Import chunks of organization models sent to region `us` over gRPC: ids and slugs from the
control silo, mappings verified by the outbox, renamed slugs, members, teams, projects, tokens."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import (
    OrganizationIdAllocationRow,
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
    OrganizationSlugReservationRow,
)
from control_silo.db.models.organization import PRIMARY_RESERVATION
from region_silo.bootstrap import RegionSilo
from region_silo.db.models import (
    OrganizationMemberRow,
    OrganizationMemberTeamRow,
    OrganizationOptionRow,
    OrganizationRow,
    OrganizationSlugReservationReplicaRow,
    OrgAuthTokenRow,
    ProjectRow,
    ProjectTeamRow,
    TeamRow,
)
from region_silo.relocation import tokens
from shared.outbox.drainer import OutboxDrainer
from shared.relocation.chunks import ChunkHeader, ChunkResult, ChunkRow, MappingKind
from shared.relocation.findings import FindingKind, RelocationError
from shared.relocation.rpc import RelocationClient
from shared.relocation.scopes import ImportScope
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer
from shared.services.organization.model import OrganizationStatus
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.user.model import User
from shared.services.user.service import UserService
from tests.conftest import TEST_SECRET
from tests.region import conftest as region_fixtures
from tests.region.conftest import REGION, Counts

# The region silo `us` with its server, the control drainer and row counts of both silos, as
# the region tests have them.
region_database_url = region_fixtures.region_database_url
region_silo_session = region_fixtures.region_silo_session
region_server = region_fixtures.region_server
region_silo = region_fixtures.region_silo
both_row_counts = region_fixtures.both_row_counts
directory = region_fixtures.directory
control_drainer = region_fixtures.control_drainer
make_control_user = region_fixtures.make_control_user

WHEN = "2023-06-22T22:59:55.488Z"
# Twelve random hex digits; when they happen to be all digits, Sentry suffixes them too.
RANDOM_SLUG = r"[0-9a-f]{12}(-[a-z0-9]{2})?"
Rows = list[tuple[int, dict[str, Any]]]
Send = Callable[..., ChunkResult]


@pytest.fixture
def region_client(region_server: RunningServer) -> Iterator[RelocationClient]:
    channel = open_channel(f"127.0.0.1:{region_server.port}", secret=TEST_SECRET)
    yield RelocationClient(channel, timeout=60)
    channel.close()


@pytest.fixture
def send(region_client: RelocationClient, region_silo: RegionSilo) -> Send:
    """Sends one chunk of ``model`` (rows of (pk, fields)) to the region, as the import does."""

    def send_chunk(
        model: str,
        rows: Rows,
        *,
        import_uuid: str = "import-1",
        min_ordinal: int = 1,
        id_map: dict[str, dict[int, int]] | None = None,
        hide_organizations: bool = False,
        dry_run: bool = False,
    ) -> ChunkResult:
        header = ChunkHeader(
            import_uuid=import_uuid,
            scope=ImportScope.ORGANIZATION,
            model=f"sentry.{model}",
            min_ordinal=min_ordinal,
            hide_organizations=hide_organizations,
            dry_run=dry_run,
            id_map=id_map or {},
        )
        chunk = [
            ChunkRow(pk, fields, min_ordinal + index) for index, (pk, fields) in enumerate(rows)
        ]
        return region_client.import_chunk(header, chunk)

    return send_chunk


def organization(pk: int, slug: str, **fields: Any) -> tuple[int, dict[str, Any]]:
    values: dict[str, Any] = {
        "name": slug.title() or "Nameless",
        "slug": slug,
        "status": 0,
        "date_added": WHEN,
        "default_role": "member",
        "is_test": False,
        "flags": "1",
    }
    values.update(fields)
    return pk, values


def member(pk: int, organization: int, user_id: int | None, **fields: Any) -> tuple[int, Any]:
    values: dict[str, Any] = {
        "organization": organization,
        "user_id": user_id,
        "email": None,
        "role": "member",
        "flags": "0",
        "token": None,
        "date_added": WHEN,
        "token_expires_at": None,
        "has_global_access": True,
        "inviter_id": None,
        "invite_status": 0,
        "type": 50,
        "user_is_active": True,
        "user_email": None,
    }
    values.update(fields)
    return pk, values


def team(pk: int, organization: int, slug: str, name: str = "Team") -> tuple[int, Any]:
    return pk, {
        "organization": organization,
        "slug": slug,
        "name": name,
        "status": 0,
        "actor": 1,
        "idp_provisioned": False,
        "date_added": WHEN,
        "org_role": None,
    }


def project(pk: int, organization: int, slug: str, name: str = "Project") -> tuple[int, Any]:
    return pk, {
        "slug": slug,
        "name": name,
        "forced_color": None,
        "organization": organization,
        "public": False,
        "date_added": WHEN,
        "status": 0,
        "first_event": None,
        "flags": "10",
        "platform": None,
    }


def auth_token(pk: int, organization_id: int, token_hashed: str, **fields: Any) -> tuple[int, Any]:
    values: dict[str, Any] = {
        "organization_id": organization_id,
        "token_hashed": token_hashed,
        "token_last_characters": "xyz1",
        "name": f"token {pk}",
        "scope_list": "['org:ci']",
        "created_by": None,
        "date_added": WHEN,
        "date_last_used": None,
        "project_last_used_id": None,
        "date_deactivated": None,
    }
    values.update(fields)
    return pk, values


def ids_of(result: ChunkResult) -> dict[int, int]:
    return {row.old_pk: row.new_id for row in result.rows}


def region_rows(region: RegionSilo, model: type[Any]) -> list[Any]:
    with region.sessions() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def control_rows(control: ControlSilo, model: type[Any]) -> list[Any]:
    with control.sessions() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def test_organizations_get_their_ids_slugs_and_mappings_from_the_control_silo(
    send: Send,
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    control_drainer: OutboxDrainer,
) -> None:
    result = send(
        "organization",
        [organization(1, "acme"), organization(2, "Beta_Org", name="Beta", is_test=True)],
    )

    assert [(row.old_pk, row.kind, row.renamed_to) for row in result.rows] == [
        (1, MappingKind.INSERTED, ""),
        (2, MappingKind.INSERTED, "beta-org"),
    ]
    ids = ids_of(result)
    allocated = control_rows(control_silo, OrganizationIdAllocationRow)
    assert [(row.id, row.region_name) for row in allocated] == [(ids[1], REGION), (ids[2], REGION)]
    organizations = region_rows(region_silo, OrganizationRow)
    assert [(o.id, o.slug, o.name, o.status, o.is_test, o.flags) for o in organizations] == [
        (ids[1], "acme", "Acme", 0, False, 1),
        (ids[2], "beta-org", "Beta", 0, True, 1),
    ]
    reservations = control_rows(control_silo, OrganizationSlugReservationRow)
    assert [
        (r.organization_id, r.slug, r.user_id, r.region_name, r.reservation_type)
        for r in reservations
    ] == [
        (ids[1], "acme", None, REGION, PRIMARY_RESERVATION),
        (ids[2], "beta-org", None, REGION, PRIMARY_RESERVATION),
    ]
    mappings = control_rows(control_silo, OrganizationMappingRow)
    assert [(m.organization_id, m.slug, m.verified) for m in mappings] == [
        (ids[1], "acme", False),
        (ids[2], "beta-org", False),
    ]

    assert region_silo.drainer.drain_due() == 2
    mappings = control_rows(control_silo, OrganizationMappingRow)
    assert [(m.slug, m.name, m.region_name, m.verified) for m in mappings] == [
        ("acme", "Acme", REGION, True),
        ("beta-org", "Beta", REGION, True),
    ]
    assert control_drainer.drain_due() == 2
    replicas = region_rows(region_silo, OrganizationSlugReservationReplicaRow)
    assert sorted((r.organization_id, r.slug) for r in replicas) == [
        (ids[1], "acme"),
        (ids[2], "beta-org"),
    ]


def test_a_slug_another_region_holds_gets_a_random_suffix(
    send: Send,
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    make_control_user: Callable[..., User],
) -> None:
    owner = make_control_user("owner")
    elsewhere = control_silo.services.get(OrganizationProvisioningService).provision_organization(
        slug="acme", name="Acme DE", region_name="de", owner_user_id=owner.id
    )

    result = send("organization", [organization(1, "acme"), organization(2, "ACME")])

    first, second = (row.renamed_to for row in result.rows)
    assert re.fullmatch(r"acme-[a-z0-9]{2}", first)
    # Two characters, or more in the rare case the second drew the first's suffix.
    assert re.fullmatch(r"acme-[a-z0-9]{2,12}", second) and second != first
    slugs = {o.id: o.slug for o in region_rows(region_silo, OrganizationRow)}
    assert slugs == {ids_of(result)[1]: first, ids_of(result)[2]: second}
    reservations = control_rows(control_silo, OrganizationSlugReservationRow)
    assert sorted((r.organization_id, r.slug) for r in reservations) == sorted(
        [(elsewhere, "acme"), *slugs.items()]
    )


@pytest.mark.parametrize(
    ("slug", "name"),
    [("admin", "Admin"), ("syntaxfm", "X"), ("github-deployment-gate", "X"), ("", "!!!")],
)
def test_reserved_and_empty_slugs_become_random(
    send: Send, control_silo: ControlSilo, region_silo: RegionSilo, slug: str, name: str
) -> None:
    result = send("organization", [organization(1, slug, name=name)])

    [row] = result.rows
    assert re.fullmatch(RANDOM_SLUG, row.renamed_to)
    [imported] = region_rows(region_silo, OrganizationRow)
    [reservation] = control_rows(control_silo, OrganizationSlugReservationRow)
    assert imported.slug == reservation.slug == row.renamed_to


def test_slugs_are_normalised_as_sentry_imports_them(send: Send, region_silo: RegionSilo) -> None:
    result = send(
        "organization",
        [
            organization(1, "Ünïcödé_Org"),
            organization(2, "", name="Made From The Name"),
            organization(3, "-" + "x" * 29 + "-tail"),
        ],
    )

    assert [row.renamed_to for row in result.rows] == [
        "unicode-org",
        "made-from-the-name",
        "x" * 29,
    ]


@pytest.mark.parametrize("hide", [False, True])
def test_hidden_organizations_wait_for_approval(
    send: Send, region_silo: RegionSilo, hide: bool
) -> None:
    send(
        "organization",
        [organization(1, "kept"), organization(2, "pending", status=1)],
        hide_organizations=hide,
    )

    statuses = [o.status for o in region_rows(region_silo, OrganizationRow)]
    if hide:
        assert statuses == [OrganizationStatus.RELOCATION_PENDING_APPROVAL] * 2
    else:
        assert statuses == [OrganizationStatus.ACTIVE, OrganizationStatus.PENDING_DELETION]


def test_a_dry_run_writes_nothing_in_either_silo(send: Send, both_row_counts: Counts) -> None:
    before = both_row_counts()

    result = send("organization", [organization(1, "acme"), organization(2, "")], dry_run=True)

    assert [row.kind for row in result.rows] == [MappingKind.INSERTED] * 2
    assert result.rows[0].renamed_to == "" and result.rows[1].renamed_to
    assert both_row_counts() == before


def test_the_same_chunk_sent_twice_is_written_once(
    send: Send, both_row_counts: Counts, region_silo: RegionSilo
) -> None:
    rows = [organization(1, "acme"), organization(2, "beta")]
    first = send("organization", rows)
    written = both_row_counts()

    again = send("organization", rows)

    assert again.replayed and not first.replayed
    assert again.rows == first.rows
    assert both_row_counts() == written


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("is_test", "yes"),
        ("name", "n" * 65),
        ("status", 9),
        ("default_role", "emperor"),
        ("date_added", "yesterday"),
        ("flags", "many"),
    ],
)
def test_a_bad_field_writes_nothing_in_either_silo(
    send: Send, both_row_counts: Counts, field: str, value: Any
) -> None:
    before = both_row_counts()

    with pytest.raises(RelocationError) as refused:
        send("organization", [organization(1, "good"), organization(2, "bad", **{field: value})])

    finding = refused.value.finding
    assert (finding.kind, finding.model, finding.left_pk, finding.field) == (
        FindingKind.VALIDATION_ERROR,
        "sentry.organization",
        2,
        field,
    )
    assert both_row_counts() == before


def test_members_reach_the_control_silo_and_their_teams(
    send: Send,
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    make_control_user: Callable[..., User],
) -> None:
    ann, bob = make_control_user("ann"), make_control_user("bob")
    # Pks in the file differ from the ids here, so only mapped keys find their rows.
    users = {"sentry.user": {7: ann.id, 8: bob.id}}
    organizations = ids_of(send("organization", [organization(41, "acme")]))
    keys = {"sentry.organization": organizations}
    teams = ids_of(send("team", [team(5, 41, "devs")], id_map=keys))
    members = send(
        "organizationmember",
        [
            member(11, 41, 7, role="owner", user_email="ann@example.com"),
            member(12, 41, 8, inviter_id=7),
            # Invited by a user the import left out: the inviter is cleared, as Sentry does.
            member(13, 41, None, email="new@example.com", inviter_id=99, invite_status=None),
            member(14, 41, 7),  # a second user of the file merged into ann
        ],
        id_map={**keys, **users},
    )
    links = send(
        "organizationmemberteam",
        [
            (1, {"team": 5, "organizationmember": 11, "is_active": True, "role": "admin"}),
            (2, {"team": 5, "organizationmember": 14, "is_active": True, "role": None}),
        ],
        id_map={"sentry.team": teams, "sentry.organizationmember": ids_of(members)},
    )

    member_ids = ids_of(members)
    assert [row.kind for row in members.rows] == [MappingKind.INSERTED] * 3 + [MappingKind.EXISTING]
    assert member_ids[14] == member_ids[11]
    assert [row.kind for row in links.rows] == [MappingKind.INSERTED, MappingKind.EXISTING]
    stored = region_rows(region_silo, OrganizationMemberRow)
    assert [(m.user_id, m.role, m.inviter_id, m.email, m.invite_status) for m in stored] == [
        (ann.id, "owner", None, None, 0),
        (bob.id, "member", ann.id, None, 0),
        (None, "member", None, "new@example.com", None),
    ]
    [link] = region_rows(region_silo, OrganizationMemberTeamRow)
    assert (link.team_id, link.organizationmember_id, link.role) == (
        teams[5],
        member_ids[11],
        "admin",
    )

    region_silo.drainer.drain_due()
    listed = control_silo.services.get(UserService).get_organizations(user_id=bob.id)
    assert [(o.organization_id, o.slug, o.region_name) for o in listed] == [
        (organizations[41], "acme", REGION)
    ]
    mapped = control_rows(control_silo, OrganizationMemberMappingRow)
    assert sorted((m.organizationmember_id, m.user_id, m.email) for m in mapped) == sorted(
        [
            (member_ids[11], ann.id, None),
            (member_ids[12], bob.id, None),
            (member_ids[13], None, "new@example.com"),
        ]
    )


def test_a_member_token_another_member_holds_is_cleared(
    send: Send, region_silo: RegionSilo
) -> None:
    keys = {"sentry.organization": ids_of(send("organization", [organization(1, "one")]))}
    invite = {"email": "a@example.com", "token": "k" * 64, "token_expires_at": WHEN}
    send("organizationmember", [member(1, 1, None, **invite)], id_map=keys)
    keys = {
        "sentry.organization": ids_of(
            send("organization", [organization(1, "two")], import_uuid="i2")
        )
    }

    send(
        "organizationmember",
        [member(1, 1, None, **invite), member(2, 1, None, **{**invite, "email": "b@x.org"})],
        id_map=keys,
        import_uuid="i2",
    )

    stored = region_rows(region_silo, OrganizationMemberRow)
    assert [(m.email, m.token, m.token_expires_at is None) for m in stored] == [
        ("a@example.com", "k" * 64, False),
        ("a@example.com", None, True),
        ("b@x.org", None, True),
    ]


@pytest.mark.parametrize(
    ("member_field", "value", "reason"),
    [
        ("role", "emperor", "not one of the roles"),
        ("email", None, "needs an email"),
        ("has_global_access", "yes", "must be a boolean"),
    ],
)
def test_a_bad_member_writes_nothing(
    send: Send, both_row_counts: Counts, member_field: str, value: Any, reason: str
) -> None:
    keys = {"sentry.organization": ids_of(send("organization", [organization(1, "acme")]))}
    before = both_row_counts()

    with pytest.raises(RelocationError) as refused:
        send(
            "organizationmember",
            [
                member(1, 1, None, email="ok@example.com"),
                member(2, 1, None, **{"email": "x@y.org", member_field: value}),
            ],
            id_map=keys,
        )

    finding = refused.value.finding
    assert (finding.model, finding.left_pk, finding.field) == (
        "sentry.organizationmember",
        2,
        member_field,
    )
    assert reason in finding.reason
    assert both_row_counts() == before


def test_team_and_project_slugs_are_unique_in_their_organization(
    send: Send, region_silo: RegionSilo
) -> None:
    organizations = ids_of(send("organization", [organization(31, "one"), organization(32, "two")]))
    keys = {"sentry.organization": organizations}
    teams = send(
        "team",
        [
            team(1, 31, "devs"),
            team(2, 31, "DEVS"),
            team(3, 32, "devs"),
            team(4, 32, "", name="Site Reliability"),
        ],
        id_map=keys,
    )
    projects = send(
        "project",
        [project(1, 31, "web"), project(2, 31, "web"), project(3, 31, "", name="Settings")],
        id_map=keys,
    )
    owners = send(
        "projectteam",
        [
            (1, {"project": 1, "team": 1}),
            (2, {"project": 2, "team": 2}),
            (3, {"project": 1, "team": 1}),
        ],
        id_map={"sentry.project": ids_of(projects), "sentry.team": ids_of(teams)},
    )

    renamed = [row.renamed_to for row in teams.rows]
    assert renamed[0] == "" and renamed[2] == ""
    assert re.fullmatch(r"DEVS-[a-z0-9]{2}", renamed[1])
    assert renamed[3] == "site-reliability"
    stored = {(t.organization_id, t.slug) for t in region_rows(region_silo, TeamRow)}
    assert stored == {
        (organizations[31], "devs"),
        (organizations[31], renamed[1]),
        (organizations[32], "devs"),
        (organizations[32], "site-reliability"),
    }
    web, again, settings = (row.renamed_to for row in projects.rows)
    assert web == ""
    assert re.fullmatch(r"web-[a-z0-9]{2}", again)
    # "settings" is a reserved project slug: one made from a name never takes it.
    assert re.fullmatch(RANDOM_SLUG, settings)
    assert [row.kind for row in owners.rows] == [
        MappingKind.INSERTED,
        MappingKind.INSERTED,
        MappingKind.EXISTING,
    ]
    assert len(region_rows(region_silo, ProjectRow)) == 3
    assert len(region_rows(region_silo, ProjectTeamRow)) == 2


def test_links_across_organizations_are_refused(send: Send, both_row_counts: Counts) -> None:
    organizations = ids_of(send("organization", [organization(1, "one"), organization(2, "two")]))
    keys = {"sentry.organization": organizations}
    teams = ids_of(send("team", [team(1, 1, "a"), team(2, 2, "b")], id_map=keys))
    projects = ids_of(send("project", [project(1, 1, "p")], id_map=keys))
    before = both_row_counts()

    with pytest.raises(RelocationError) as refused:
        send(
            "projectteam",
            [(1, {"project": 1, "team": 2})],
            id_map={"sentry.project": projects, "sentry.team": teams},
        )

    assert (refused.value.finding.left_pk, refused.value.finding.field) == (1, "team")
    assert both_row_counts() == before


def test_an_option_given_twice_is_skipped(send: Send, region_silo: RegionSilo) -> None:
    keys = {"sentry.organization": ids_of(send("organization", [organization(61, "acme")]))}

    result = send(
        "organizationoption",
        [
            (1, {"organization": 61, "key": "sentry:account-rate-limit", "value": 0}),
            (2, {"organization": 61, "key": "sentry:account-rate-limit", "value": 5}),
            (3, {"organization": 61, "key": "sentry:scrub_data", "value": '"true"'}),
        ],
        id_map=keys,
    )

    assert [row.kind for row in result.rows] == [
        MappingKind.INSERTED,
        MappingKind.SKIPPED,
        MappingKind.INSERTED,
    ]
    assert result.rows[1].new_id == 0
    stored = region_rows(region_silo, OrganizationOptionRow)
    assert [(o.key, o.value) for o in stored] == [
        ("sentry:account-rate-limit", "0"),
        ("sentry:scrub_data", '"true"'),
    ]


def test_regenerated_tokens_name_the_final_slug(
    send: Send,
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    make_control_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner = make_control_user("owner")
    control_silo.services.get(OrganizationProvisioningService).provision_organization(
        slug="acme", name="Acme", region_name="de", owner_user_id=owner.id
    )
    result = send("organization", [organization(51, "acme")])
    final = result.rows[0].renamed_to
    made: list[str] = []

    def generate(organization_slug: str, url: str | None, region_url: str | None) -> str:
        token = original(organization_slug, url, region_url)
        made.append(token)
        return token

    original = tokens.generate_token
    monkeypatch.setattr(tokens, "generate_token", generate)
    send(
        "orgauthtoken",
        [
            auth_token(1, 51, "kept-hash", created_by=9),
            auth_token(2, 51, ""),
            auth_token(3, 51, "kept-hash"),
        ],
        id_map={"sentry.organization": ids_of(result), "sentry.user": {9: owner.id}},
    )

    stored = region_rows(region_silo, OrgAuthTokenRow)
    kept = stored[0]
    assert (kept.token_hashed, kept.token_last_characters, kept.created_by_id) == (
        "kept-hash",
        "xyz1",
        owner.id,
    )
    assert [json.loads(t.scope_list) for t in stored] == [["org:ci"]] * 3
    assert len(made) == 2
    for token, row in zip(made, stored[1:], strict=True):
        prefix, payload, secret = token.split("_")
        assert prefix == "sntrys" and "=" not in secret
        assert json.loads(base64.b64decode(payload))["org"] == final
        assert row.token_hashed == tokens.hash_token(token)
        assert row.token_last_characters == token[-4:]
