"""What `silo import` writes in the control silo: Sentry's rules for users, their emails and
options, usernames that are taken, configuration (permissions, roles) and full restores."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import (
    AuthenticatorRow,
    EmailRow,
    LostPasswordHashRow,
    UserEmailRow,
    UserIPRow,
    UserOptionRow,
    UserPermissionRow,
    UserRoleRow,
    UserRoleUserRow,
    UserRow,
)
from shared.services.user.model import NewUser, User
from shared.services.user.service import UserService
from shared.services.user_option.service import UserOptionService
from tests.relocation.conftest import (
    SENTRY_PASSWORD,
    Importer,
    RowCounts,
    authenticator,
    email,
    rows_of,
    summary_table,
    user,
    useremail,
    userip,
    useroption,
    userpermission,
    userrole,
    userroleuser,
    write_export,
)

TOKEN = re.compile(r"^[A-Za-z0-9]{32}$")
FILE_HASH = "mCnWesSVvYQcq7qXQ36AZHwosAd6cghE"
SUPER_ADMIN_PERMISSIONS = ["broadcasts.admin", "users.admin", "options.admin"]


def user_named(control: ControlSilo, username: str) -> UserRow:
    with control.sessions() as session:
        found = session.scalars(select(UserRow).where(UserRow.username == username)).one()
        return found


def existing_user(
    control: ControlSilo, username: str, email: str = "", password: str | None = None
) -> User:
    """A user made through the user service, as the silo holds them before an import."""
    address = email or ("" if "@" in username else f"{username}@example.com")
    return control.services.get(UserService).create_user(
        user=NewUser(username=username, email=address, password=password)
    )


def useremails_of(control: ControlSilo, user_id: int) -> list[UserEmailRow]:
    return [row for row in rows_of(control, UserEmailRow) if row.user_id == user_id]


# --- users scope: privileges, passwords, claim tokens ---------------------------------------


def test_users_scope_strips_privileges_and_leaves_the_account_to_claim(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    started = datetime.now(UTC)
    source = write_export(
        tmp_path / "export.json",
        [user(1, "alice", is_password_expired=True), user(2, "bob", is_unclaimed=True)],
    )

    result = run_import("users", source)

    assert result.exit_code == 0, result.stderr
    assert result.findings == []
    for name in ("alice", "bob"):
        row = user_named(control_silo, name)
        assert (row.is_staff, row.is_superuser, row.is_managed) == (False, False, False)
        assert row.is_unclaimed is True
        assert row.password.startswith("!")
        assert row.password != SENTRY_PASSWORD
        assert row.is_password_expired is False
        assert row.last_password_change is not None and row.last_password_change >= started
        # Fields Sentry writes as they are.
        assert row.name == name.title()
        assert row.date_joined == datetime(2023, 6, 22, 22, 59, 55, 488000, tzinfo=UTC)
        fetched = control_silo.services.get(UserService).get_user(user_id=row.id)
        assert fetched.password_usable is False
        assert fetched.is_unclaimed is True
        assert not fetched.is_staff and not fetched.is_superuser


def test_each_new_user_gets_one_claim_token(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    existing = existing_user(control_silo, "carol")
    source = write_export(
        tmp_path / "export.json", [user(1, "alice"), user(2, "bob"), user(3, "carol")]
    )

    assert run_import("users", source, "--merge-users").exit_code == 0

    tokens = rows_of(control_silo, LostPasswordHashRow)
    new_ids = {user_named(control_silo, name).id for name in ("alice", "bob")}
    assert {token.user_id for token in tokens} == new_ids  # none for the merged carol
    assert len(tokens) == 2
    assert all(TOKEN.match(token.hash) for token in tokens)
    assert tokens[0].hash != tokens[1].hash
    assert existing.id not in {token.user_id for token in tokens}


# --- emails and options ---------------------------------------------------------------------


def test_primary_useremail_is_merged_with_the_files_row(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    started = datetime.now(UTC)
    source = write_export(
        tmp_path / "export.json",
        [
            email(7, "alice@example.com"),
            user(3, "alice"),
            useremail(5, 3, "ALICE@example.com"),
        ],
    )

    result = run_import("users", source)

    assert result.exit_code == 0, result.stderr
    alice = user_named(control_silo, "alice")
    rows = useremails_of(control_silo, alice.id)
    assert len(rows) == 1, "the primary address created with the user is not duplicated"
    (row,) = rows
    assert row.email.lower() == "alice@example.com"
    assert row.is_verified is False
    assert TOKEN.match(row.validation_hash)
    assert row.validation_hash != FILE_HASH
    assert row.date_hash_added >= started
    assert len(rows_of(control_silo, EmailRow)) == 1
    assert summary_table(result.stdout)["sentry.useremail"].inserted == 1


def test_other_useremail_is_added_unverified_with_a_fresh_hash(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    source = write_export(
        tmp_path / "export.json",
        [
            user(1, "alice"),
            useremail(1, 1, "alice@example.com"),
            useremail(2, 1, "alice@work.example", validation_hash="A" * 32),
        ],
    )

    assert run_import("users", source).exit_code == 0

    alice = user_named(control_silo, "alice")
    by_address = {row.email: row for row in useremails_of(control_silo, alice.id)}
    assert set(by_address) == {"alice@example.com", "alice@work.example"}
    work = by_address["alice@work.example"]
    assert work.is_verified is False
    assert TOKEN.match(work.validation_hash) and work.validation_hash != "A" * 32
    fetched = control_silo.services.get(UserService).get_user(user_id=alice.id)
    assert {(found.email, found.is_verified) for found in fetched.useremails} == {
        ("alice@example.com", False),
        ("alice@work.example", False),
    }
    assert fetched.emails == frozenset()  # only verified addresses count


def test_email_rows_are_reused_whatever_their_case(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    existing_user(control_silo, "zed", email="Shared@Example.com")
    before = {row.email: row.id for row in rows_of(control_silo, EmailRow)}
    source = write_export(
        tmp_path / "export.json",
        [email(1, "shared@example.com"), email(2, "new@example.com"), user(1, "alice")],
    )

    result = run_import("users", source)

    assert result.exit_code == 0, result.stderr
    after = {row.email.lower(): row.id for row in rows_of(control_silo, EmailRow)}
    assert after["shared@example.com"] == before["Shared@Example.com"]
    assert set(after) == {"shared@example.com", "new@example.com", "alice@example.com"}
    counts = summary_table(result.stdout)["sentry.email"]
    assert (counts.inserted, counts.reused) == (1, 1)


def test_a_global_user_option_is_kept_once(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    source = write_export(
        tmp_path / "export.json",
        [
            user(1, "alice"),
            useroption(1, 1, "timezone", '"Europe/Vienna"'),
            useroption(2, 1, "timezone", '"UTC"'),
            useroption(3, 1, "language", '"de"'),
        ],
    )

    result = run_import("users", source)

    assert result.exit_code == 0, result.stderr
    options = rows_of(control_silo, UserOptionRow)
    assert sorted((row.key, row.value) for row in options) == [
        ("language", '"de"'),
        ("timezone", '"Europe/Vienna"'),
    ]
    counts = summary_table(result.stdout)["sentry.useroption"]
    assert (counts.inserted, counts.skipped) == (2, 1)
    alice = user_named(control_silo, "alice")
    service = control_silo.services.get(UserOptionService)
    assert {option.key for option in service.get_many(user_ids=[alice.id])} == {
        "timezone",
        "language",
    }


def test_options_of_projects_and_organizations_are_dropped_in_users_scope(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    source = write_export(
        tmp_path / "export.json",
        [
            user(1, "alice"),
            useroption(1, 1, "timezone", '"UTC"'),
            useroption(2, 1, "mail:alert", '"1"', project_id=4),
            useroption(3, 1, "workflow:notifications", '"0"', organization_id=2),
        ],
    )

    result = run_import("users", source)

    assert result.exit_code == 0, result.stderr
    options = rows_of(control_silo, UserOptionRow)
    assert [(row.key, row.project_id, row.organization_id) for row in options] == [
        ("timezone", None, None)
    ]
    assert summary_table(result.stdout)["sentry.useroption"].skipped == 2


# --- usernames that are taken ---------------------------------------------------------------


def suffixed_name(base: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(base)}-[a-z0-9]{{2,12}}$")


def test_a_taken_username_gets_a_suffix(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    existing = existing_user(control_silo, "alice")
    source = write_export(
        tmp_path / "export.json",
        [user(1, "alice", email="other-alice@example.com"), useroption(1, 1, "timezone", '"UTC"')],
    )

    result = run_import("users", source)

    assert result.exit_code == 0, result.stderr
    users = rows_of(control_silo, UserRow)
    assert len(users) == 2
    imported = next(row for row in users if row.id != existing.id)
    assert suffixed_name("alice").match(imported.username), imported.username
    assert imported.email == "other-alice@example.com"
    assert user_named(control_silo, "alice").id == existing.id
    assert [row.user_id for row in rows_of(control_silo, UserOptionRow)] == [imported.id]
    assert summary_table(result.stdout)["sentry.user"].renamed == 1


@pytest.mark.parametrize(("held", "incoming"), [("Alice", "alice"), ("alice", "ALICE")])
def test_usernames_collide_whatever_their_case(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path, held: str, incoming: str
) -> None:
    existing = existing_user(control_silo, held)
    source = write_export(tmp_path / "export.json", [user(1, incoming)])

    result = run_import("users", source)

    assert result.exit_code == 0, result.stderr
    names = {row.id: row.username for row in rows_of(control_silo, UserRow)}
    assert names.pop(existing.id) == held
    (imported,) = names.values()
    assert suffixed_name(incoming).match(imported), imported


def test_the_suffix_keeps_a_long_username_within_128_characters(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    long_name = "l" * 128
    existing_user(control_silo, long_name, email="long@example.com")
    source = write_export(tmp_path / "export.json", [user(1, long_name, email="l@example.com")])

    assert run_import("users", source).exit_code == 0

    renamed = [row.username for row in rows_of(control_silo, UserRow) if row.username != long_name]
    assert len(renamed) == 1
    assert len(renamed[0]) <= 128
    base, _, suffix = renamed[0].rpartition("-")
    assert long_name.startswith(base) and len(base) == 128 - len(suffix) - 1
    assert re.fullmatch(r"[a-z0-9]{2,12}", suffix)


def test_the_same_username_twice_in_a_file_is_suffixed_once(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    source = write_export(tmp_path / "export.json", [user(1, "alice"), user(2, "ALICE")])

    result = run_import("users", source)

    assert result.exit_code == 0, result.stderr
    names = [row.username for row in rows_of(control_silo, UserRow)]
    assert names[0] == "alice"
    assert suffixed_name("ALICE").match(names[1]), names


def test_merge_users_reuses_the_existing_user_without_its_incoming_rows(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path, row_counts: RowCounts
) -> None:
    existing = existing_user(control_silo, "alice", password="secret-password")
    before = user_named(control_silo, "alice")
    counts = row_counts()
    source = write_export(
        tmp_path / "export.json",
        [
            email(1, "alice@elsewhere.example"),
            user(1, "ALICE", email="alice@elsewhere.example"),
            useremail(1, 1, "alice@elsewhere.example"),
            useroption(1, 1, "timezone", '"UTC"'),
        ],
    )

    result = run_import("users", source, "--merge-users")

    assert result.exit_code == 0, result.stderr
    after = row_counts()
    assert after["user"] == counts["user"]
    assert after["useremail"] == counts["useremail"]
    assert after["useroption"] == counts["useroption"]
    assert after["lostpasswordhash"] == counts["lostpasswordhash"]
    assert [row.email for row in useremails_of(control_silo, existing.id)] == ["alice@example.com"]
    merged = user_named(control_silo, "alice")
    assert merged.password == before.password
    assert merged.is_unclaimed is False
    summary = summary_table(result.stdout)
    assert (summary["sentry.user"].inserted, summary["sentry.user"].reused) == (0, 1)
    assert summary["sentry.useremail"].skipped == 1
    assert summary["sentry.useroption"].skipped == 1


def test_user_references_by_username_of_sentry_23_7_exports(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    existing_user(control_silo, "alice@example.com", email="alice@example.com")
    source = write_export(
        tmp_path / "export.json",
        [
            user(1, "alice@example.com", email="alice@example.com"),
            user(2, "bob@example.com", email="bob@example.com"),
            useremail(1, ["alice@example.com"], "alice@example.com"),
            useremail(2, ["bob@example.com"], "bob@example.com"),
            useremail(3, ["bob@example.com"], "robert@example.com"),
            useroption(1, ["bob@example.com"], "timezone", '"Europe/Vienna"'),
        ],
    )

    result = run_import("users", source)

    assert result.exit_code == 0, result.stderr
    imported_alice = next(
        row
        for row in rows_of(control_silo, UserRow)
        if row.username.startswith("alice@example.com-")
    )
    bob = user_named(control_silo, "bob@example.com")
    assert [row.email for row in useremails_of(control_silo, imported_alice.id)] == [
        "alice@example.com"
    ]
    assert sorted(row.email for row in useremails_of(control_silo, bob.id)) == [
        "bob@example.com",
        "robert@example.com",
    ]
    assert [(row.user_id, row.key) for row in rows_of(control_silo, UserOptionRow)] == [
        (bob.id, "timezone")
    ]


# --- config scope ---------------------------------------------------------------------------


def config_export(role_permissions: str) -> list[dict[str, Any]]:
    return [
        user(1, "admin", is_managed=False),
        useremail(1, 1, "admin@example.com"),
        userpermission(1, 1, "users.admin"),
        userpermission(2, 1, "broadcasts.admin"),
        userrole(4, "Super Admin", role_permissions),
        userrole(5, "Auditor", "['audit.read', 'users.read']"),
        userroleuser(1, 1, 4),
        userroleuser(2, 1, 5),
    ]


def role_named(control: ControlSilo, name: str) -> UserRoleRow:
    return next(row for row in rows_of(control, UserRoleRow) if row.name == name)


def test_config_scope_keeps_privileges_but_not_the_password(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    source = write_export(
        tmp_path / "export.json",
        [user(1, "admin", is_managed=True), userpermission(1, 1, "users.admin")],
    )

    assert run_import("config", source).exit_code == 0

    admin = user_named(control_silo, "admin")
    assert (admin.is_staff, admin.is_superuser, admin.is_managed) == (True, True, True)
    assert admin.is_unclaimed is True and admin.password.startswith("!")
    assert [row.user_id for row in rows_of(control_silo, LostPasswordHashRow)] == [admin.id]
    fetched = control_silo.services.get(UserService).get_user(user_id=admin.id)
    assert fetched.permissions == frozenset({"users.admin"})


def test_an_existing_role_is_kept_and_given_to_the_user(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    super_admin = role_named(control_silo, "Super Admin")
    assert super_admin.permissions == SUPER_ADMIN_PERMISSIONS  # the migration's role
    source = write_export(tmp_path / "export.json", config_export("['users.admin']"))

    result = run_import("config", source)

    assert result.exit_code == 0, result.stderr
    kept = role_named(control_silo, "Super Admin")
    assert (kept.id, kept.permissions) == (super_admin.id, SUPER_ADMIN_PERMISSIONS)
    assert kept.date_updated == super_admin.date_updated
    auditor = role_named(control_silo, "Auditor")
    assert auditor.permissions == ["audit.read", "users.read"]
    assert len(rows_of(control_silo, UserRoleRow)) == 2
    admin = user_named(control_silo, "admin")
    holders = rows_of(control_silo, UserRoleUserRow)
    assert sorted((row.user_id, row.role_id) for row in holders) == sorted(
        [(admin.id, super_admin.id), (admin.id, auditor.id)]
    )
    permissions = rows_of(control_silo, UserPermissionRow)
    assert sorted(row.permission for row in permissions) == ["broadcasts.admin", "users.admin"]
    fetched = control_silo.services.get(UserService).get_user(user_id=admin.id)
    # roles: the permissions the user's roles grant, as Sentry's `roles | permissions` checks read
    assert fetched.roles == frozenset(SUPER_ADMIN_PERMISSIONS) | {"audit.read", "users.read"}
    summary = summary_table(result.stdout)
    assert (summary["sentry.userrole"].inserted, summary["sentry.userrole"].reused) == (1, 1)


def test_overwrite_configs_replaces_an_existing_roles_permissions(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    super_admin = role_named(control_silo, "Super Admin")
    source = write_export(
        tmp_path / "export.json", config_export("['users.admin', 'options.admin']")
    )

    result = run_import("config", source, "--overwrite-configs")

    assert result.exit_code == 0, result.stderr
    replaced = role_named(control_silo, "Super Admin")
    assert replaced.id == super_admin.id
    assert replaced.permissions == ["users.admin", "options.admin"]
    assert replaced.date_updated == datetime(2023, 6, 22, 23, 0, 0, 123000, tzinfo=UTC)
    assert summary_table(result.stdout)["sentry.userrole"].overwrote == 1
    admin = user_named(control_silo, "admin")
    assert (admin.id, replaced.id) in {
        (row.user_id, row.role_id) for row in rows_of(control_silo, UserRoleUserRow)
    }


def test_role_permissions_in_every_form_sentry_writes(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    listed = userrole(3, "Listed", "")
    listed["fields"]["permissions"] = ["c.admin"]  # as a JSON list, as newer exports do
    source = write_export(
        tmp_path / "export.json",
        [userrole(1, "Empty", "[]"), userrole(2, "Python", "['a.read', \"b.write\"]"), listed],
    )

    result = run_import("config", source)

    assert result.exit_code == 0, result.stderr
    assert role_named(control_silo, "Empty").permissions == []
    assert role_named(control_silo, "Python").permissions == ["a.read", "b.write"]
    assert role_named(control_silo, "Listed").permissions == ["c.admin"]


def test_configuration_is_left_out_of_a_users_import(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path, row_counts: RowCounts
) -> None:
    counts = row_counts()
    source = write_export(tmp_path / "export.json", config_export("['users.admin']"))

    result = run_import("users", source)

    assert result.exit_code == 0, result.stderr
    after = row_counts()
    for table in ("userpermission", "userrole", "userroleuser"):
        assert after[table] == counts[table], table
    summary = summary_table(result.stdout)
    assert summary["sentry.userpermission"].skipped == 2
    assert summary["sentry.userrole"].skipped == 2
    assert summary["sentry.userroleuser"].skipped == 2


def test_a_merged_user_gets_no_permissions_from_the_file(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    existing_user(control_silo, "admin")
    source = write_export(
        tmp_path / "export.json", [user(1, "admin"), userpermission(1, 1, "users.admin")]
    )

    result = run_import("config", source, "--merge-users")

    assert result.exit_code == 0, result.stderr
    assert rows_of(control_silo, UserPermissionRow) == []
    admin = user_named(control_silo, "admin")
    assert (admin.is_staff, admin.is_superuser) == (False, False)


# --- global scope ---------------------------------------------------------------------------

TOTP_CONFIG = '{"secret": "JBSWY3DPEHPK3PXP"}'


def global_export() -> list[dict[str, Any]]:
    return [
        email(1, "root@example.com"),
        user(1, "root", is_managed=False),
        user(2, "pending", is_unclaimed=True, is_staff=False, is_superuser=False),
        useremail(1, 1, "root@example.com", validation_hash=FILE_HASH),
        useremail(2, 2, "pending@example.com", is_verified=False, validation_hash="B" * 32),
        useroption(1, 1, "timezone", '"UTC"'),
        userpermission(1, 1, "users.admin"),
        userrole(3, "Super Admin", "['users.admin']"),
        userroleuser(1, 1, 3),
        authenticator(1, 1, 1, TOTP_CONFIG),
        authenticator(2, 1, 0, '""'),
        userip(1, 1, "127.0.0.2"),
        userip(2, 2, "2001:db8::1"),
    ]


def test_global_scope_restores_passwords_and_second_factors(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path, region_address: str
) -> None:
    source = write_export(tmp_path / "export.json", global_export())

    result = run_import("global", source, "--region", region_address)

    assert result.exit_code == 0, result.stderr
    assert result.findings == []
    root = user_named(control_silo, "root")
    assert root.password == SENTRY_PASSWORD
    assert root.is_unclaimed is False
    assert (root.is_staff, root.is_superuser) == (True, True)
    assert control_silo.services.get(UserService).get_user(user_id=root.id).password_usable
    pending = user_named(control_silo, "pending")
    assert pending.is_unclaimed is True and pending.password.startswith("!")
    assert rows_of(control_silo, LostPasswordHashRow) == []
    (root_email,) = useremails_of(control_silo, root.id)
    assert (root_email.is_verified, root_email.validation_hash) == (True, FILE_HASH)
    assert root_email.date_hash_added == datetime(2023, 6, 22, 22, 59, 55, 521000, tzinfo=UTC)
    (pending_email,) = useremails_of(control_silo, pending.id)
    assert pending_email.validation_hash == "B" * 32
    factors = rows_of(control_silo, AuthenticatorRow)
    assert [(row.user_id, row.type, row.config) for row in factors] == [
        (root.id, 1, TOTP_CONFIG),
        (root.id, 0, '""'),
    ]
    addresses = rows_of(control_silo, UserIPRow)
    assert [(row.user_id, row.ip_address) for row in addresses] == [
        (root.id, "127.0.0.2"),
        (pending.id, "2001:db8::1"),
    ]
    assert addresses[0].first_seen == datetime(2012, 4, 5, 3, 29, 45, tzinfo=UTC)
    assert addresses[0].last_seen == datetime(2012, 4, 5, 3, 29, 46, tzinfo=UTC)
    assert addresses[0].country_code is None and addresses[0].region_code is None
    # A full restore takes the backup's roles: the installation's "Super Admin" gets the file's
    # permissions (Sentry's restore starts from an emptied installation).
    super_admin = role_named(control_silo, "Super Admin")
    assert super_admin.permissions == ["users.admin"]
    assert [(row.user_id, row.role_id) for row in rows_of(control_silo, UserRoleUserRow)] == [
        (root.id, super_admin.id)
    ]


def test_second_factors_and_addresses_are_left_out_below_global(
    control_silo: ControlSilo, run_import: Importer, tmp_path: Path
) -> None:
    source = write_export(
        tmp_path / "export.json",
        [user(1, "root"), authenticator(1, 1, 1, TOTP_CONFIG), userip(1, 1, "127.0.0.2")],
    )

    result = run_import("config", source)

    assert result.exit_code == 0, result.stderr
    assert rows_of(control_silo, AuthenticatorRow) == []
    assert rows_of(control_silo, UserIPRow) == []
    summary = summary_table(result.stdout)
    assert summary["sentry.authenticator"].skipped == 1
    assert summary["sentry.userip"].skipped == 1
