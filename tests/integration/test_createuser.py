"""`silo createuser` as operators run it: scripted, at a terminal, direct and through gRPC."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from control_silo.bootstrap import ControlSilo, build_control_silo
from control_silo.db.models import UserRoleRow, UserRoleUserRow, UserRow
from control_silo.passwords import check_password
from shared.config import Settings
from shared.services.user.service import UserService
from shared.silo_mode import SiloMode
from tests.databases import scratch_database
from tests.integration.processes import control_process, run_silo
from tests.integration.terminal import converse

SECRET = "createuser-secret"


@pytest.fixture
def control_db(tmp_path: Path) -> Iterator[tuple[str, ControlSilo]]:
    with scratch_database(tmp_path, "createuser") as url:
        upgraded = run_silo("upgrade", "--silo", "control", "--database-url", url)
        assert upgraded.returncode == 0, upgraded.stderr
        control = build_control_silo(Settings(mode=SiloMode.CONTROL, database_url=url))
        yield url, control
        control.close()


def users(control: ControlSilo) -> dict[str, UserRow]:
    with control.sessions() as session:
        return {row.username: row for row in session.scalars(select(UserRow))}


def super_admin_grants(control: ControlSilo, username: str) -> int:
    with control.sessions() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(UserRoleUserRow)
                .join(UserRoleRow, UserRoleRow.id == UserRoleUserRow.role_id)
                .join(UserRow, UserRow.id == UserRoleUserRow.user_id)
                .where(UserRoleRow.name == "Super Admin", UserRow.username == username)
            )
            or 0
        )


def createuser(url: str, *arguments: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = run_silo("createuser", "--database-url", url, *arguments, env=env)
    return result.returncode, result.stdout + result.stderr


def test_scripted_create_and_update(control_db: tuple[str, ControlSilo]) -> None:
    url, control = control_db
    code, output = createuser(
        url, "--no-input", "--email", "root@example.com", "--password", "first", "--superuser"
    )
    assert code == 0 and output.strip() == "User created: root@example.com"
    root = users(control)["root@example.com"]
    assert (root.email, root.is_active, root.is_superuser, root.is_staff) == (
        "root@example.com",
        True,
        True,
        True,
    )
    assert root.password.startswith("pbkdf2_sha256$600000$")
    assert check_password("first", root.password) and "first" not in root.password
    assert super_admin_grants(control, "root@example.com") == 1
    granted = control.services.get(UserService).get_user(user_id=root.id).roles
    assert granted == {"broadcasts.admin", "users.admin", "options.admin"}

    code, output = createuser(url, "--no-input", "--email", "root@example.com", "--password", "x")
    assert code == 3
    assert output.strip() == "User: root@example.com exists, use --force-update to force."
    assert check_password("first", users(control)["root@example.com"].password)

    for _ in range(2):
        code, output = createuser(
            url,
            "--no-input",
            "--email",
            "root@example.com",
            "--password",
            "second",
            "--superuser",
            "--force-update",
        )
        assert code == 0 and output.strip() == "User updated: root@example.com"
    assert check_password("second", users(control)["root@example.com"].password)
    assert super_admin_grants(control, "root@example.com") == 1


def test_several_emails_and_collisions_change_nothing(
    control_db: tuple[str, ControlSilo],
) -> None:
    url, control = control_db
    code, _ = createuser(
        url, "--no-input", "--no-password", "--email", "a@example.com", "--email", "b@example.com"
    )
    assert code == 0 and set(users(control)) == {"a@example.com", "b@example.com"}
    assert not any(row.password[0] != "!" for row in users(control).values())
    code, output = createuser(
        url, "--no-input", "--no-password", "--email", "c@example.com", "--email", "A@EXAMPLE.COM"
    )
    assert code == 3 and "User: A@EXAMPLE.COM exists" in output
    assert set(users(control)) == {"a@example.com", "b@example.com"}


def test_a_repeated_email_creates_the_user_once(control_db: tuple[str, ControlSilo]) -> None:
    url, control = control_db
    code, output = createuser(
        url,
        "--no-input",
        "--no-password",
        "--email",
        "d@example.com",
        "--email",
        "e@example.com",
        "--email",
        "D@Example.com",
    )
    assert code == 0, output
    assert output.splitlines() == [
        "User created: d@example.com",
        "User created: e@example.com",
        "User: D@Example.com exists (given twice).",
    ]
    assert set(users(control)) == {"d@example.com", "e@example.com"}


def test_a_bad_email_after_good_ones_creates_nothing(control_db: tuple[str, ControlSilo]) -> None:
    url, control = control_db
    code, output = createuser(
        url, "--no-input", "--no-password", "--email", "f@example.com", "--email", "bad"
    )
    assert code != 0 and "Invalid or missing email address." in output
    assert users(control) == {}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--no-input", "--password", "pw"], "Invalid or missing email address."),
        (
            ["--no-input", "--email", "not-an-email", "--password", "pw"],
            "Invalid or missing email address.",
        ),
        (
            ["--no-input", "--email", "nopw@example.com"],
            "No password set and --no-password not passed.",
        ),
    ],
)
def test_errors_exit_non_zero_and_create_nothing(
    control_db: tuple[str, ControlSilo], arguments: list[str], message: str
) -> None:
    url, control = control_db
    code, output = createuser(url, *arguments)
    assert code != 0 and message in output
    assert users(control) == {}


def test_staff_needs_superuser(control_db: tuple[str, ControlSilo]) -> None:
    url, control = control_db
    code, output = createuser(
        url, "--no-input", "--email", "s@example.com", "--no-password", "--staff", "--no-superuser"
    )
    assert code == 0
    assert output.splitlines() == [
        "Non-superuser asked to be given staff access, correcting to staff=False",
        "User created: s@example.com",
    ]
    row = users(control)["s@example.com"]
    assert (row.is_staff, row.is_superuser) == (False, False)
    assert super_admin_grants(control, "s@example.com") == 0


def test_superuser_without_staff_flag_gets_staff(control_db: tuple[str, ControlSilo]) -> None:
    url, control = control_db
    createuser(url, "--no-input", "--email", "boss@example.com", "--no-password", "--superuser")
    createuser(
        url,
        "--no-input",
        "--email",
        "aide@example.com",
        "--no-password",
        "--superuser",
        "--no-staff",
    )
    assert users(control)["boss@example.com"].is_staff
    assert not users(control)["aide@example.com"].is_staff


def test_interactive_prompts(control_db: tuple[str, ControlSilo]) -> None:
    url, control = control_db
    env = {**os.environ}
    session = converse(
        ["createuser", "--database-url", url],
        [
            ("Email:", "typed@example.com"),
            ("Password:", "hunter22"),
            ("Repeat for confirmation:", "hunter22"),
            ("Should this user be a superuser? [y/N]:", "y"),
        ],
        env,
    )
    assert session.exit_code == 0, session.transcript
    assert "User created: typed@example.com" in session.transcript
    assert "hunter22" not in session.transcript
    row = users(control)["typed@example.com"]
    assert row.is_superuser and row.is_staff and check_password("hunter22", row.password)


def test_interactive_mismatched_password_is_asked_again(
    control_db: tuple[str, ControlSilo],
) -> None:
    url, control = control_db
    session = converse(
        ["createuser", "--database-url", url, "--email", "again@example.com"],
        [
            ("Password:", "one"),
            ("Repeat for confirmation:", "two"),
            ("Password:", "three"),
            ("Repeat for confirmation:", "three"),
            ("superuser? [y/N]:", ""),
        ],
        {**os.environ},
    )
    assert session.exit_code == 0, session.transcript
    assert "do not match" in session.transcript
    row = users(control)["again@example.com"]
    assert check_password("three", row.password) and not row.is_superuser


def test_interactive_bad_email(control_db: tuple[str, ControlSilo]) -> None:
    url, control = control_db
    session = converse(
        ["createuser", "--database-url", url, "--no-password", "--no-superuser"],
        [("Email:", "nobody")],
        {**os.environ},
    )
    assert session.exit_code != 0
    assert "Invalid or missing email address." in session.transcript
    assert users(control) == {}


def test_through_a_running_control_silo(
    control_db: tuple[str, ControlSilo], tmp_path: Path
) -> None:
    url, control = control_db
    with control_process(url, tmp_path, SECRET) as server:
        signed = {"SILO_RPC_SHARED_SECRETS": SECRET}
        result = run_silo(
            "createuser",
            "--control",
            server.address,
            "--no-input",
            "--email",
            "remote@example.com",
            "--password",
            "pw",
            "--superuser",
            env=signed,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "User created: remote@example.com"
        again = run_silo(
            "createuser",
            "--control",
            server.address,
            "--no-input",
            "--email",
            "remote@example.com",
            "--password",
            "pw",
            env=signed,
        )
        assert again.returncode == 3
        unsigned = run_silo(
            "createuser",
            "--control",
            server.address,
            "--no-input",
            "--email",
            "intruder@example.com",
            "--password",
            "pw",
            env={"SILO_RPC_SHARED_SECRETS": "wrong"},
        )
        assert unsigned.returncode != 0 and "signature" in unsigned.stderr
    assert set(users(control)) == {"remote@example.com"}
    assert super_admin_grants(control, "remote@example.com") == 1
