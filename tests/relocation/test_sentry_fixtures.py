"""Sentry's own export fixtures (``fixtures/backup/`` of getsentry/sentry), imported as Sentry
wrote them: read from the shared compatibility directory, skipped where it is absent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

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
from shared.services.user.service import UserService
from tests.relocation.conftest import FIXTURES, Importer, RowCounts, rows_of, summary_table

pytestmark = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason=f"Sentry's fixtures are not in {FIXTURES}"
)

SENTRY_HASH = "pbkdf2_sha256$150000$iEvdIknqYjTr$+QsGn0tfIJ1FZLxQI37mVU1gL2KbL/wqjMtG/dFhsMA="
SUPER_ADMIN_PERMISSIONS = ["broadcasts.admin", "users.admin", "options.admin"]


def fixture(name: str) -> Path:
    return FIXTURES / name


def only_user(control: ControlSilo) -> UserRow:
    (found,) = rows_of(control, UserRow)
    return found


def super_admin(control: ControlSilo) -> UserRoleRow:
    with control.sessions() as session:
        role = session.scalars(select(UserRoleRow).where(UserRoleRow.name == "Super Admin")).one()
        return role


def test_maximum_privileges_in_users_scope(
    control_silo: ControlSilo, run_import: Importer, row_counts: RowCounts
) -> None:
    before = row_counts()

    result = run_import("users", fixture("user-with-maximum-privileges.json"))

    assert result.exit_code == 0, result.stderr
    assert result.findings == []
    imported = only_user(control_silo)
    assert imported.username == "testing@example.com"
    assert (imported.is_staff, imported.is_superuser, imported.is_managed) == (False, False, False)
    assert imported.is_unclaimed and imported.password.startswith("!")
    assert imported.date_joined == datetime(2023, 6, 22, 22, 59, 55, 488000, tzinfo=UTC)
    fetched = control_silo.services.get(UserService).get_user(user_id=imported.id)
    assert not fetched.password_usable
    assert fetched.permissions == frozenset() and fetched.roles == frozenset()
    (address,) = rows_of(control_silo, UserEmailRow)
    assert (address.user_id, address.email, address.is_verified) == (
        imported.id,
        "testing@example.com",
        False,
    )
    assert address.validation_hash != "mCnWesSVvYQcq7qXQ36AZHwosAd6cghE"
    (option,) = rows_of(control_silo, UserOptionRow)
    assert (option.user_id, option.key, option.value) == (
        imported.id,
        "timezone",
        '"Europe/Vienna"',
    )
    assert [row.user_id for row in rows_of(control_silo, LostPasswordHashRow)] == [imported.id]
    after = row_counts()
    for table in ("authenticator", "userip", "userpermission", "userrole", "userroleuser"):
        assert after[table] == before[table], table
    summary = summary_table(result.stdout)
    for model in ("authenticator", "userip", "userpermission", "userrole", "userroleuser"):
        assert summary[f"sentry.{model}"].skipped == 1, model


def test_maximum_privileges_in_config_scope(
    control_silo: ControlSilo, run_import: Importer
) -> None:
    role = super_admin(control_silo)

    result = run_import("config", fixture("user-with-maximum-privileges.json"))

    assert result.exit_code == 0, result.stderr
    imported = only_user(control_silo)
    assert (imported.is_staff, imported.is_superuser) == (True, True)
    assert imported.is_unclaimed and imported.password.startswith("!")
    fetched = control_silo.services.get(UserService).get_user(user_id=imported.id)
    assert fetched.permissions == frozenset({"users.admin"})
    assert fetched.roles == frozenset(SUPER_ADMIN_PERMISSIONS)
    assert super_admin(control_silo).permissions == SUPER_ADMIN_PERMISSIONS
    assert [(row.user_id, row.role_id) for row in rows_of(control_silo, UserRoleUserRow)] == [
        (imported.id, role.id)
    ]
    assert rows_of(control_silo, AuthenticatorRow) == []
    assert rows_of(control_silo, UserIPRow) == []
    assert summary_table(result.stdout)["sentry.userrole"].reused == 1


def test_maximum_privileges_in_global_scope(
    control_silo: ControlSilo, run_import: Importer, region_address: str
) -> None:
    result = run_import(
        "global", fixture("user-with-maximum-privileges.json"), "--region", region_address
    )

    assert result.exit_code == 0, result.stderr
    imported = only_user(control_silo)
    assert imported.password == SENTRY_HASH
    assert not imported.is_unclaimed
    assert rows_of(control_silo, LostPasswordHashRow) == []
    (address,) = rows_of(control_silo, UserEmailRow)
    assert (address.is_verified, address.validation_hash) == (
        True,
        "mCnWesSVvYQcq7qXQ36AZHwosAd6cghE",
    )
    (factor,) = rows_of(control_silo, AuthenticatorRow)
    assert (factor.user_id, factor.type, factor.config) == (imported.id, 1, '""')
    (seen,) = rows_of(control_silo, UserIPRow)
    assert (seen.user_id, seen.ip_address) == (imported.id, "127.0.0.2")
    assert seen.first_seen == datetime(2012, 4, 5, 3, 29, 45, tzinfo=UTC)
    assert [row.permission for row in rows_of(control_silo, UserPermissionRow)] == ["users.admin"]
    assert super_admin(control_silo).permissions == SUPER_ADMIN_PERMISSIONS


def test_minimum_privileges_with_a_bare_option_value(
    control_silo: ControlSilo, run_import: Importer
) -> None:
    result = run_import("users", fixture("user-with-minimum-privileges.json"))

    assert result.exit_code == 0, result.stderr
    imported = only_user(control_silo)
    assert imported.username == "min_user"
    (option,) = rows_of(control_silo, UserOptionRow)
    assert (option.key, option.value) == ("timezone", '"Europe/Vienna"')


def test_superadmin_without_roles_keeps_its_flags_in_config_scope(
    control_silo: ControlSilo, run_import: Importer
) -> None:
    result = run_import("config", fixture("user-with-superadmin-no-roles.json"))

    assert result.exit_code == 0, result.stderr
    imported = only_user(control_silo)
    assert imported.username == "superadmin_no_roles_user"
    assert (imported.is_staff, imported.is_superuser, imported.is_managed) == (True, True, True)
    assert rows_of(control_silo, UserRoleUserRow) == []


def test_roles_without_superadmin_in_users_scope(
    control_silo: ControlSilo, run_import: Importer
) -> None:
    # Its userroleuser names a role pk the file does not hold: a config row, out of this scope.
    result = run_import("users", fixture("user-with-roles-no-superadmin.json"))

    assert result.exit_code == 0, result.stderr
    imported = only_user(control_silo)
    assert imported.username == "roles_no_superadmin_user"
    assert rows_of(control_silo, UserRoleUserRow) == []


def test_roles_without_superadmin_in_config_scope_names_the_dangling_role(
    control_silo: ControlSilo, run_import: Importer, row_counts: RowCounts
) -> None:
    before = row_counts()

    result = run_import("config", fixture("user-with-roles-no-superadmin.json"))

    assert result.exit_code == 1
    assert row_counts() == before
    finding = result.finding
    assert (finding["kind"], finding["on"]["model"], finding["left_pk"], finding["field"]) == (
        "IntegrityError",
        "sentry.userroleuser",
        3,
        "role",
    )


def test_user_pk_mapping_gives_every_row_a_new_pk(
    control_silo: ControlSilo, run_import: Importer
) -> None:
    role = super_admin(control_silo)

    result = run_import("config", fixture("user-pk-mapping.json"))

    assert result.exit_code == 0, result.stderr
    imported = only_user(control_silo)
    assert imported.username == "testing@example.com"
    assert imported.id != 12
    (address,) = rows_of(control_silo, UserEmailRow)
    assert address.user_id == imported.id
    assert [row.email for row in rows_of(control_silo, EmailRow)] == ["testing@example.com"]
    assert [(row.user_id, row.role_id) for row in rows_of(control_silo, UserRoleUserRow)] == [
        (imported.id, role.id)
    ]


def test_app_user_with_an_empty_email(control_silo: ControlSilo, run_import: Importer) -> None:
    result = run_import("users", fixture("app-user-with-empty-email.json"))

    assert result.exit_code == 0, result.stderr
    imported = only_user(control_silo)
    assert imported.username == "test_app-afcf782e-428d-475a-bb6f-d81b72505f6d"
    assert (imported.email, imported.is_sentry_app, imported.is_unclaimed) == ("", True, True)
    assert [(row.user_id, row.email) for row in rows_of(control_silo, UserEmailRow)] == [
        (imported.id, "")
    ]


def test_invalid_user_is_refused(
    control_silo: ControlSilo, run_import: Importer, row_counts: RowCounts
) -> None:
    before = row_counts()

    result = run_import("users", fixture("invalid-user.json"))

    assert result.exit_code == 1
    assert row_counts() == before
    finding = result.finding
    assert (finding["kind"], finding["on"]["model"], finding["left_pk"], finding["field"]) == (
        "ValidationError",
        "sentry.user",
        1,
        "username",
    )


SENTRY_23_7_USERS = [
    "user@example.com",
    "admin@localhost",
    "0be2ff4bec0b4be3ba5ed94d38e79d85@example.com",
    "test_app-4d6ae6ac-c652-4de0-bca0-a379430c0151",
]


def test_sentry_23_7_export_in_users_scope(
    control_silo: ControlSilo, run_import: Importer, row_counts: RowCounts
) -> None:
    before = row_counts()

    result = run_import("users", fixture("23.7.1.json"))

    assert result.exit_code == 0, result.stderr
    assert result.findings == []
    users = {row.username: row for row in rows_of(control_silo, UserRow)}
    assert sorted(users) == sorted(SENTRY_23_7_USERS)
    assert not any(row.is_staff or row.is_superuser for row in users.values())
    assert all(row.is_unclaimed and row.password.startswith("!") for row in users.values())
    # Natural keys: each useremail belongs to the user its username names.
    addresses = {(row.user_id, row.email) for row in rows_of(control_silo, UserEmailRow)}
    assert addresses == {
        (users["user@example.com"].id, "user@example.com"),
        (users["admin@localhost"].id, "admin@localhost"),
        (
            users["0be2ff4bec0b4be3ba5ed94d38e79d85@example.com"].id,
            "0be2ff4bec0b4be3ba5ed94d38e79d85@example.com",
        ),
        (users["test_app-4d6ae6ac-c652-4de0-bca0-a379430c0151"].id, ""),
    }
    (option,) = rows_of(control_silo, UserOptionRow)
    assert (option.user_id, option.key) == (users["user@example.com"].id, "timezone")
    assert len(rows_of(control_silo, LostPasswordHashRow)) == 4
    after = row_counts()
    for table in ("userpermission", "userroleuser", "authenticator", "userip", "authprovider"):
        assert after[table] == before[table], table
    assert after["organizationmapping"] == before["organizationmapping"]
    summary = summary_table(result.stdout)
    assert summary["sentry.organization"].skipped == 3
    assert "sentry.relay                     skipped 1 rows" in result.stdout
    assert "sentry.projectoption             skipped 12 rows" in result.stdout


def test_sentry_23_7_export_in_config_scope(
    control_silo: ControlSilo, run_import: Importer
) -> None:
    result = run_import("config", fixture("23.7.1.json"))

    assert result.exit_code == 0, result.stderr
    users = {row.username: row for row in rows_of(control_silo, UserRow)}
    owner = users["user@example.com"]
    assert (owner.is_staff, owner.is_superuser) == (True, False)
    assert users["admin@localhost"].is_superuser
    fetched = control_silo.services.get(UserService).get_user(user_id=owner.id)
    assert fetched.permissions == frozenset({"users.admin"})
    assert fetched.roles == frozenset()  # test-role grants no permission
    roles = {row.name: row.permissions for row in rows_of(control_silo, UserRoleRow)}
    assert roles["test-role"] == []
