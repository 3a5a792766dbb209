"""`silo backup compare`: Sentry's validation of two exports. Equal files (each fixture with
itself, an export with its pks renumbered as an import renumbers them) have no findings; each kind
of difference gives one precise finding."""

from __future__ import annotations

import copy
import json
import tarfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.cli import cli
from shared.relocation import crypto
from shared.relocation.compare.findings import ComparatorFinding
from shared.relocation.compare.run import compare_exports
from shared.relocation.findings import RelocationError
from shared.relocation.models import BY_NAME
from tests.relocation.conftest import (
    FIXTURES,
    WHEN,
    Record,
    authenticator,
    email,
    record,
    user,
    useremail,
    userip,
    useroption,
    userpermission,
    userrole,
    userroleuser,
    write_export,
)

PLAIN_FIXTURES = sorted(
    path.name for path in FIXTURES.glob("*.json") if path.name != "model_dependencies-sorted.json"
)
TOKEN = "3c0a1c0f3c6d4d2a8b1e6f7a9d8c7b6a5f4e3d2c1b0a99887766554433221100"


def sample() -> list[Record]:
    """An export of every model Silo keeps, in dependency order, ascending pks."""
    return [
        user(1, "alice"),
        user(2, "bob", is_unclaimed=True, password="!unusable" + "x" * 40),
        user(3, "carol", last_active="2023-06-23T10:00:00.000Z"),
        email(1, "alice@example.com"),
        email(2, "bob@example.com"),
        email(3, "carol@example.com"),
        useremail(1, 1, "alice@example.com"),
        useremail(2, 2, "bob@example.com", is_verified=False),
        useremail(3, 3, "carol@example.com"),
        useroption(1, 1, "timezone", '"Europe/Vienna"'),
        useroption(2, 2, "language", '"de"'),
        useroption(3, 1, "mail:email", '"alice@example.com"', organization_id=1),
        userpermission(1, 1, "broadcasts.admin"),
        userrole(1, "Super Admin", "['users.admin']"),
        userroleuser(1, 1, 1),
        record(
            "authprovider",
            1,
            organization_id=1,
            provider="github",
            config={},
            date_added=WHEN,
            sync_time=None,
            last_sync=None,
            default_role=50,
            default_global_access=True,
            flags="0",
        ),
        record(
            "authidentity",
            1,
            user=1,
            auth_provider=1,
            ident="alice-github-1234",
            data={},
            last_verified=WHEN,
            last_synced=WHEN,
            date_added=WHEN,
        ),
        authenticator(1, 2, 1, "opaque"),
        userip(1, 1, "127.0.0.1"),
        record("organization", 1, name="Acme", slug="acme", status=0, date_added=WHEN, flags="1"),
        record("organization", 2, name="Globex", slug="globex", status=0, date_added=WHEN),
        record("organizationoption", 1, organization=1, key="sentry:require_2fa", value="true"),
        member(1, 1, user_id=1),
        member(2, 1, user_id=2, inviter_id=1),
        member(3, 2, email="dave@example.com", token=TOKEN),
        record("team", 1, organization=1, slug="core", name="Core", status=0, date_added=WHEN),
        record("team", 2, organization=2, slug="ops", name="Ops", status=0, date_added=WHEN),
        record("organizationmemberteam", 1, team=1, organizationmember=1, is_active=True),
        record("organizationmemberteam", 2, team=1, organizationmember=2, is_active=True),
        record("project", 1, organization=1, slug="web", name="Web", date_added=WHEN, status=0),
        record("project", 2, organization=2, slug="api", name="API", date_added=WHEN, status=0),
        record("projectteam", 1, project=1, team=1),
        record("projectteam", 2, project=2, team=2),
        record(
            "orgauthtoken",
            1,
            organization_id=1,
            token_hashed=TOKEN,
            token_last_characters="AbCd",
            name="ci",
            scope_list="['org:ci']",
            created_by=1,
            date_added=WHEN,
            date_last_used=None,
            project_last_used_id=1,
            date_deactivated=None,
        ),
    ]


def member(pk: int, organization: int, **fields: Any) -> Record:
    values: dict[str, Any] = {
        "organization": organization,
        "user_id": None,
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
    return record("organizationmember", pk, **values)


def renumbered(records: list[Record], offset: int = 100) -> list[Record]:
    """``records`` as an import writes them: every pk moved by a per-model amount (keeping their
    order) and every foreign key to a row of the file rewritten to match."""
    models = list(dict.fromkeys(r["model"] for r in records))
    shift = {model: offset * (index + 1) for index, model in enumerate(models)}
    pks = {(r["model"], r["pk"]) for r in records}
    result = copy.deepcopy(records)
    for row in result:
        row["pk"] += shift[row["model"]]
        for name, key in BY_NAME[row["model"]].foreign_keys.items():
            value = row["fields"].get(name)
            if isinstance(value, int) and (key.target, value) in pks:
                row["fields"][name] = value + shift[key.target]
    return result


def rows(records: list[Record], model: str) -> list[Record]:
    return [r for r in records if r["model"] == f"sentry.{model}"]


def row(records: list[Record], model: str, pk: int) -> dict[str, Any]:
    """The fields of one row, to change in place."""
    (found,) = [r for r in rows(records, model) if r["pk"] == pk]
    fields: dict[str, Any] = found["fields"]
    return fields


Compare = Callable[[list[Record], list[Record]], list[ComparatorFinding]]


@pytest.fixture
def compare(tmp_path: Path) -> Compare:
    """Compares two lists of records written as exports."""

    def run(left: list[Record], right: list[Record]) -> list[ComparatorFinding]:
        left_file = write_export(tmp_path / "left.json", left)
        right_file = write_export(tmp_path / "right.json", right)
        return compare_exports(lambda: left_file.open("rb"), lambda: right_file.open("rb"))

    return run


def kinds(findings: list[ComparatorFinding]) -> list[tuple[str, str, int | None]]:
    return [(f.kind, f.model, f.ordinal) for f in findings]


@pytest.mark.skipif(not PLAIN_FIXTURES, reason="Sentry's fixtures are not present")
@pytest.mark.parametrize("fixture", PLAIN_FIXTURES)
def test_each_fixture_equals_itself(fixture: str) -> None:
    path = FIXTURES / fixture
    assert compare_exports(lambda: path.open("rb"), lambda: path.open("rb")) == []


@pytest.mark.skipif(not PLAIN_FIXTURES, reason="Sentry's fixtures are not present")
@pytest.mark.parametrize("fixture", PLAIN_FIXTURES)
def test_each_fixture_equals_itself_renumbered(compare: Compare, fixture: str) -> None:
    records = json.loads((FIXTURES / fixture).read_text())
    kept = [r for r in records if r["model"] in BY_NAME]
    assert compare(kept, renumbered(kept)) == []


def test_an_export_equals_itself_and_its_renumbered_copy(compare: Compare) -> None:
    assert compare(sample(), sample()) == []
    assert compare(sample(), renumbered(sample())) == []
    assert compare(renumbered(sample()), sample()) == []


def test_a_changed_field_is_one_json_finding(compare: Compare) -> None:
    right = renumbered(sample())
    row(right, "user", 102)["name"] = "Robert"
    (finding,) = compare(sample(), right)
    assert (finding.kind, finding.model, finding.ordinal) == ("UnequalJSON", "sentry.user", 2)
    assert (finding.left_pk, finding.right_pk) == (2, 102)
    assert '-  "name": "Bob",' in finding.reason
    assert '+  "name": "Robert",' in finding.reason


def test_a_missing_row_and_an_extra_row_are_unequal_counts(compare: Compare) -> None:
    right = [r for r in sample() if not (r["model"] == "sentry.team" and r["pk"] == 2)]
    last_projectteam = right.index(rows(right, "projectteam")[-1])
    right.insert(last_projectteam + 1, record("projectteam", 3, project=1, team=1))
    findings = compare(sample(), right)
    assert sorted((f.kind, f.model, f.reason) for f in findings) == [
        ("UnequalCounts", "sentry.projectteam", "counted 2 left entries and 3 right entries"),
        ("UnequalCounts", "sentry.team", "counted 2 left entries and 1 right entries"),
    ]


def test_a_model_on_one_side_only_is_unequal_counts(compare: Compare) -> None:
    left = sample()
    right = [r for r in left if r["model"] != "sentry.userip"]
    (finding,) = compare(left, right)
    assert (finding.kind, finding.model) == ("UnequalCounts", "sentry.userip")
    assert finding.reason == "counted 1 left entries and 0 right entries"


def test_a_foreign_key_pointing_elsewhere_is_a_finding(compare: Compare) -> None:
    right = renumbered(sample())
    # The second member of Acme now points at Globex (pk 3 + its offset).
    globex = rows(right, "organization")[1]["pk"]
    member_2 = rows(right, "organizationmember")[1]
    member_2["fields"]["organization"] = globex
    (finding,) = compare(sample(), right)
    assert kinds([finding]) == [("ForeignKeyComparator", "sentry.organizationmember", 2)]
    assert finding.reason == (
        "the left foreign key ordinal (1) for `organization` was not equal to the right foreign "
        "key ordinal (2)"
    )


def test_a_foreign_key_to_no_row_is_a_finding(compare: Compare) -> None:
    right = sample()
    row(right, "projectteam", 2)["team"] = 99
    (finding,) = compare(sample(), right)
    assert kinds([finding]) == [("ForeignKeyComparator", "sentry.projectteam", 2)]
    assert "right foreign key ordinal for `team` model with pk `99` could not be found" in (
        finding.reason
    )


def test_a_cleared_inviter_or_creator_is_allowed_but_a_new_one_is_not(compare: Compare) -> None:
    right = sample()
    row(right, "organizationmember", 2)["inviter_id"] = None
    row(right, "orgauthtoken", 1)["created_by"] = None
    assert compare(sample(), right) == []
    findings = compare(right, sample())
    assert [(f.kind, f.model, f.reason) for f in findings] == [
        (
            "ForeignKeyComparatorExistenceCheck",
            "sentry.organizationmember",
            "the left `inviter_id` value was missing",
        ),
        (
            "ForeignKeyComparatorExistenceCheck",
            "sentry.orgauthtoken",
            "the left `created_by` value was missing",
        ),
    ]


def test_suffixed_usernames_and_slugs_are_equal(compare: Compare) -> None:
    right = renumbered(sample())
    row(right, "user", 101)["username"] = "alice-x7"
    rows(right, "organization")[0]["fields"]["slug"] = "acme-3k1"
    assert compare(sample(), right) == []


def test_a_name_that_is_not_a_suffix_is_a_finding(compare: Compare) -> None:
    right = sample()
    row(right, "organization", 1)["slug"] = "acmex"
    (finding,) = compare(sample(), right)
    assert kinds([finding]) == [("AutoSuffixComparator", "sentry.organization", 1)]
    assert "(acme) of `slug` was not equal to or a dashed prefix of the right value (acmex)" in (
        finding.reason
    )


def test_updated_dates_may_grow_but_not_shrink(compare: Compare) -> None:
    grown = sample()
    row(grown, "user", 3)["last_active"] = "2024-01-01T00:00:00.000Z"
    row(grown, "email", 1)["date_added"] = "2024-01-01T00:00:00.000Z"
    row(grown, "useremail", 1)["date_hash_added"] = "2024-01-01T00:00:00.000Z"
    row(grown, "userrole", 1)["date_updated"] = "2024-01-01T00:00:00.000Z"
    assert compare(sample(), grown) == []

    shrunk = sample()
    row(shrunk, "user", 3)["last_active"] = "2023-06-23T09:59:59.999Z"
    (finding,) = compare(sample(), shrunk)
    assert kinds([finding]) == [("DateUpdatedComparator", "sentry.user", 3)]
    assert finding.reason == (
        "the left value (2023-06-23T10:00:00.000Z) of `last_active` was not less than or equal "
        "to the right value (2023-06-23T09:59:59.999Z)"
    )


def test_dates_are_compared_as_instants(compare: Compare) -> None:
    right = sample()
    row(right, "organization", 1)["date_added"] = "2023-06-22T22:59:55.488000+00:00"
    row(right, "team", 1)["date_added"] = "2023-06-23T00:59:55.488+02:00"
    assert compare(sample(), right) == []
    row(right, "project", 2)["date_added"] = "2023-06-22T22:59:55.489Z"
    (finding,) = compare(sample(), right)
    assert kinds([finding]) == [("DatetimeEqualityComparator", "sentry.project", 2)]


def test_claim_state_and_verification_hashes_are_not_compared(compare: Compare) -> None:
    # What a users import does: unclaimed users with unusable passwords, unverified emails
    # with fresh validation hashes.
    right = renumbered(sample())
    for fields in (r["fields"] for r in rows(right, "user")):
        fields.update(is_unclaimed=True, password="!" + "n" * 40, is_password_expired=False)
    for fields in (r["fields"] for r in rows(right, "useremail")):
        fields.update(is_verified=False, validation_hash="f" * 32)
    assert compare(sample(), right) == []


def test_an_import_cannot_claim_a_user_nor_keep_its_password_unclaimed(compare: Compare) -> None:
    claimed = sample()
    row(claimed, "user", 2)["is_unclaimed"] = False
    (finding,) = compare(sample(), claimed)
    assert kinds([finding]) == [("UserPasswordObfuscatingComparator", "sentry.user", 2)]
    assert "cannot claim users" in finding.reason

    unclaimed = sample()
    row(unclaimed, "user", 1)["is_unclaimed"] = True
    (finding,) = compare(sample(), unclaimed)
    assert kinds([finding]) == [("UserPasswordObfuscatingComparator", "sentry.user", 1)]
    assert "was equal to the right value" in finding.reason
    assert "pbkdf2_sha256$150000" not in finding.reason
    assert '("pbkdf2...sMA=")' in finding.reason


def test_changed_emails_and_tokens_are_shown_obfuscated(compare: Compare) -> None:
    right = sample()
    # Still between alice and carol: the rows keep their ordinals.
    row(right, "email", 2)["email"] = "bobby@example.org"
    row(right, "orgauthtoken", 1)["token_hashed"] = "9" * 64
    row(right, "organizationmember", 3)["email"] = "eve@example.net"
    findings = compare(sample(), right)
    assert kinds(findings) == [
        ("EmailObfuscatingComparator", "sentry.email", 2),
        ("EmailObfuscatingComparator", "sentry.organizationmember", 3),
        ("HashObfuscatingComparator", "sentry.orgauthtoken", 1),
    ]
    text = json.dumps([f.as_json() for f in findings])
    for secret in ("bob@", "bobby@", "dave@", "eve@", TOKEN, "9" * 64):
        assert secret not in text
    assert '("b...@...le.com") of `email` was not equal to the right value ("b...@...le.org")' in (
        findings[0].reason
    )
    assert '("3c0...100") of `token_hashed`' in findings[2].reason


def test_rows_out_of_pk_order_are_reported_alone(compare: Compare) -> None:
    right = sample()
    teams = rows(right, "team")
    teams[0]["pk"], teams[1]["pk"] = 2, 1
    findings = compare(sample(), right)
    assert kinds(findings) == [("UnorderedInput", "sentry.team", None)]
    assert findings[0].right_pk == 1


def test_models_in_another_order_are_matched(compare: Compare) -> None:
    right = renumbered(sample())
    right.sort(key=lambda r: (r["model"] != "sentry.projectteam", r["model"] == "sentry.user"))
    assert compare(sample(), right) == []
    row(right, "projectteam", rows(right, "projectteam")[1]["pk"])["team"] = rows(right, "team")[0][
        "pk"
    ]
    assert kinds(compare(sample(), right)) == [("ForeignKeyComparator", "sentry.projectteam", 2)]


def test_custom_ordinals_match_rows_whatever_their_pks(compare: Compare) -> None:
    # Users ordered by username, emails by address: the right file lists them in another pk
    # order, as an import into a silo holding other users may.
    left = sample()
    right = copy.deepcopy(left)
    for r in rows(right, "user") + rows(right, "email"):
        r["pk"] = 10 - r["pk"]
    for r in rows(right, "useremail") + rows(right, "useroption"):
        r["fields"]["user"] = 10 - r["fields"]["user"]
    for name in ("userpermission", "userroleuser", "authidentity", "authenticator", "userip"):
        for r in rows(right, name):
            r["fields"]["user"] = 10 - r["fields"]["user"]
    for r in rows(right, "organizationmember"):
        for key in ("user_id", "inviter_id"):
            if r["fields"][key] is not None:
                r["fields"][key] = 10 - r["fields"][key]
    row(right, "orgauthtoken", 1)["created_by"] = 9
    right = [r for r in right if r["model"] != "sentry.user"] + sorted(
        rows(right, "user"), key=lambda r: r["pk"]
    )
    right.sort(key=lambda r: list(BY_NAME).index(r["model"]))
    assert compare(left, right) == []


def test_users_named_by_username_match_users_named_by_pk(compare: Compare) -> None:
    right = sample()
    for r in rows(right, "useremail") + rows(right, "userpermission"):
        r["fields"]["user"] = [
            u["fields"]["username"] for u in rows(right, "user") if u["pk"] == r["fields"]["user"]
        ]
    assert compare(sample(), right) == []
    row(right, "userpermission", 1)["user"] = ["bob"]
    (finding,) = compare(sample(), right)
    assert kinds([finding]) == [("ForeignKeyComparator", "sentry.userpermission", 1)]


def test_models_silo_does_not_keep_are_compared_by_pk(compare: Compare) -> None:
    left = [*sample(), record("relay", 1, relay_id="r1", public_key="k", first_seen=WHEN)]
    right = copy.deepcopy(left)
    assert compare(left, right) == []
    right[-1]["fields"]["public_key"] = "other"
    assert kinds(compare(left, right)) == [("UnequalJSON", "sentry.relay", 1)]


def test_a_file_that_is_not_an_export_is_an_error(tmp_path: Path, compare: Compare) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"model": "sentry.user", "pk": 1, "fields": {}}, {"model"')
    good = write_export(tmp_path / "good.json", sample())
    with pytest.raises(RelocationError, match="ends early or is malformed"):
        compare_exports(lambda: good.open("rb"), lambda: bad.open("rb"))


def backup(*arguments: str | Path) -> Result:
    return CliRunner().invoke(cli, ["backup", *map(str, arguments)], catch_exceptions=False)


def test_the_command_prints_and_writes_findings_and_exits_by_them(tmp_path: Path) -> None:
    left = write_export(tmp_path / "left.json", sample())
    right_records = renumbered(sample())
    right = write_export(tmp_path / "right.json", right_records)
    findings_file = tmp_path / "findings.json"

    equal = backup("compare", left, right, "--findings-file", findings_file)
    assert equal.exit_code == 0
    assert equal.stdout == "found 0 differences\n"
    assert json.loads(findings_file.read_text()) == []

    row(right_records, "useremail", rows(right_records, "useremail")[0]["pk"])[
        "date_hash_added"
    ] = "2020-01-01T00:00:00.000Z"
    write_export(right, right_records)
    different = backup("compare", left, right, "--findings-file", findings_file)
    assert different.exit_code == 1
    assert different.stdout.splitlines() == [
        "DateUpdatedComparator on sentry.useremail #1 (left pk 1, right pk 301): the left value "
        "(2023-06-22T22:59:55.521Z) of `date_hash_added` was not less than or equal to the right "
        "value (2020-01-01T00:00:00.000Z)",
        "found 1 differences",
    ]
    assert json.loads(findings_file.read_text()) == [
        {
            "finding": "ComparatorFinding",
            "kind": "DateUpdatedComparator",
            "on": {"model": "sentry.useremail", "ordinal": 1},
            "left_pk": 1,
            "right_pk": 301,
            "reason": "the left value (2023-06-22T22:59:55.521Z) of `date_hash_added` was not "
            "less than or equal to the right value (2020-01-01T00:00:00.000Z)",
        }
    ]


def test_encrypted_sides_are_decrypted(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = tmp_path / "key.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = tmp_path / "key.pub"
    public.write_bytes(crypto.public_key_pem(key))
    plain = write_export(tmp_path / "export.json", sample())
    tar = tmp_path / "export.tar"
    with tar.open("wb") as output:
        crypto.encrypt(plain, public, output)
    assert tarfile.is_tarfile(tar)

    both = backup(
        "compare", tar, tar, "--decrypt-left-with", private, "--decrypt-right-with", private
    )
    assert (both.exit_code, both.stdout) == (0, "found 0 differences\n")
    mixed = backup("compare", plain, tar, "--decrypt-right-with", private)
    assert (mixed.exit_code, mixed.stdout) == (0, "found 0 differences\n")

    findings_file = tmp_path / "findings.json"
    keyless = backup("compare", plain, tar, "--findings-file", findings_file)
    assert keyless.exit_code == 2
    assert "is encrypted: give its private key" in keyless.stderr
    (finding,) = json.loads(findings_file.read_text())
    assert finding["kind"] == "DeserializationFailed"


def test_an_unreadable_side_exits_2(tmp_path: Path) -> None:
    good = write_export(tmp_path / "good.json", sample())
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = backup("compare", good, bad)
    assert result.exit_code == 2
    assert "not a JSON array of records" in result.stderr


def _peak_bytes(left: Path, right: Path) -> int:
    tracemalloc.start()
    try:
        assert compare_exports(lambda: left.open("rb"), lambda: right.open("rb")) == []
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _organizations(path: Path, count: int) -> Path:
    """An export of ``count`` organizations with a project each, written row by row."""
    with path.open("w") as file:
        file.write("[\n")
        for pk in range(1, count + 1):
            organization = record(
                "organization", pk, name=f"Org {pk}", slug=f"org-{pk}", status=0, date_added=WHEN
            )
            file.write(json.dumps(organization) + ",\n")
        for pk in range(1, count + 1):
            project = record("project", pk, organization=pk, slug="p", name="P", date_added=WHEN)
            file.write(json.dumps(project) + ("\n" if pk == count else ",\n"))
        file.write("]\n")
    return path


def test_memory_does_not_hold_the_files(tmp_path: Path) -> None:
    """Rows are compared as they are read: a file ten times larger adds a few bytes per row (the
    pk index of the models keys point at, 16 bytes a row on each side), not the rows themselves
    (hundreds of bytes each)."""
    small = _organizations(tmp_path / "small.json", 2_000)
    large = _organizations(tmp_path / "large.json", 20_000)
    growth = _peak_bytes(large, large) - _peak_bytes(small, small)
    added_rows = 2 * 18_000
    assert large.stat().st_size > 100 * 2 * 20_000
    assert growth < 100 * added_rows, growth
