"""Many users, grants and options in one control unit of work: all or nothing, with the outbox."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import (
    ControlOutboxRow,
    EmailRow,
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
)
from control_silo.passwords import make_unusable_password
from control_silo.services.user_reads import UserLoader
from control_silo.services.user_service import DatabaseUserService
from control_silo.writes import users
from control_silo.writes.options import OptionValue, set_options
from control_silo.writes.permissions import add_permissions, add_user_roles
from control_silo.writes.users import UserValues, create_users, update_user
from shared.errors import AlreadyExists, NotFound
from shared.outbox.categories import OutboxCategory
from shared.services.user.model import NewUser, UserEmail, UserUpdate
from tests.conftest import TEST_PASSWORD_ITERATIONS
from tests.writes.conftest import Counts, NewUnitOfWork


def values(username: str, email: str | None = None) -> UserValues:
    return UserValues(
        username=username,
        password=make_unusable_password(),
        email=f"{username.lower()}@example.com" if email is None else email,
    )


def make_users(new_uow: NewUnitOfWork, *usernames: str) -> list[int]:
    with new_uow() as uow:
        ids = [row.id for row in create_users(uow, [values(name) for name in usernames])]
        uow.commit()
    return ids


def join_region(new_uow: NewUnitOfWork, user_id: int, organization_id: int, region: str) -> None:
    """Makes the user a member of an organization living in ``region``."""
    with new_uow() as uow:
        if (
            uow.session.scalar(
                select(OrganizationMappingRow.id).where(
                    OrganizationMappingRow.organization_id == organization_id
                )
            )
            is None
        ):
            uow.session.add(
                OrganizationMappingRow(
                    organization_id=organization_id,
                    slug=f"org-{organization_id}",
                    name="Org",
                    region_name=region,
                )
            )
        uow.session.add(
            OrganizationMemberMappingRow(
                organization_id=organization_id,
                organizationmember_id=1000 * organization_id + user_id,
                user_id=user_id,
            )
        )
        uow.commit()


def outbox_of(session_rows: list[ControlOutboxRow]) -> list[tuple[int, int, str]]:
    return sorted((row.category, row.shard_identifier, row.region_name) for row in session_rows)


def test_create_users_writes_every_user_with_its_email_rows(
    control_uow: NewUnitOfWork, control_silo: ControlSilo
) -> None:
    with control_uow() as uow:
        rows = create_users(
            uow, [values("ann"), values("Ben", "BEN@Example.com"), values("cy", email="")]
        )
        uow.commit()
    assert [row.username for row in rows] == ["ann", "Ben", "cy"]
    with control_silo.engine.connect() as connection:
        loaded = UserLoader(connection).ordered([row.id for row in rows])
    assert [(user.username, user.email, user.useremails) for user in loaded] == [
        ("ann", "ann@example.com", (UserEmail("ann@example.com", False),)),
        ("Ben", "BEN@Example.com", (UserEmail("BEN@Example.com", False),)),
        ("cy", "", ()),
    ]
    with control_silo.sessions() as session:
        assert sorted(session.scalars(select(EmailRow.email))) == [
            "BEN@Example.com",
            "ann@example.com",
        ]


def test_the_service_creates_one_user_through_the_bulk_function(
    control_silo: ControlSilo, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[list[str]] = []
    bulk = users.create_users

    def recording(uow: object, batch: list[UserValues]) -> object:
        batches.append([user.username for user in batch])
        return bulk(uow, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(users, "create_users", recording)
    service = DatabaseUserService(
        control_silo.engine, control_silo.sessions, password_iterations=TEST_PASSWORD_ITERATIONS
    )
    user = service.create_user(user=NewUser(username="solo", email="solo@example.com"))
    assert batches == [["solo"]]
    assert user.useremails == (UserEmail("solo@example.com", False),)


def test_a_taken_username_in_the_third_user_leaves_nothing_behind(
    control_uow: NewUnitOfWork, control_counts: Counts
) -> None:
    [dave, _] = make_users(control_uow, "dave", "carol")
    join_region(control_uow, dave, organization_id=7, region="us")
    before = control_counts()
    with pytest.raises(AlreadyExists) as taken, control_uow() as uow:
        update_user(uow, dave, UserUpdate(name="Dave"))
        assert len(uow.session.scalars(select(ControlOutboxRow)).all()) == 1
        create_users(uow, [values("alice"), values("bob"), values("CAROL")])
        uow.commit()
    assert (taken.value.field, taken.value.message) == ("username", "'CAROL' is taken")
    assert control_counts() == before
    assert before["controloutbox"] == 0


def test_a_username_given_twice_is_taken(
    control_uow: NewUnitOfWork, control_counts: Counts
) -> None:
    before = control_counts()
    with pytest.raises(AlreadyExists) as taken, control_uow() as uow:
        create_users(uow, [values("erin"), values("frank"), values("Erin", "erin2@example.com")])
    assert (taken.value.field, taken.value.message) == ("username", "'Erin' is taken")
    assert control_counts() == before


def test_grants_write_their_outbox_rows_in_the_same_transaction(
    control_uow: NewUnitOfWork, control_counts: Counts
) -> None:
    [gus, hal, ivy] = make_users(control_uow, "gus", "hal", "ivy")
    join_region(control_uow, gus, organization_id=1, region="us")
    join_region(control_uow, gus, organization_id=2, region="de")
    join_region(control_uow, hal, organization_id=1, region="us")
    grants = [
        (gus, "users.admin"),
        (hal, "users.admin"),
        (ivy, "users.admin"),
        (gus, "users.admin"),
    ]
    with control_uow() as uow:
        assert add_permissions(uow, grants) == 3
        written = outbox_of(list(uow.session.scalars(select(ControlOutboxRow))))
        assert written == [
            (OutboxCategory.USER_UPDATE, gus, "de"),
            (OutboxCategory.USER_UPDATE, gus, "us"),
            (OutboxCategory.USER_UPDATE, hal, "us"),
        ]
        uncommitted = control_counts()
        assert (uncommitted["userpermission"], uncommitted["controloutbox"]) == (0, 0)
        uow.commit()
    committed = control_counts()
    assert (committed["userpermission"], committed["controloutbox"]) == (3, 3)
    with control_uow() as uow:
        assert add_permissions(uow, grants) == 0


def test_an_unknown_role_in_the_third_grant_grants_nothing(
    control_uow: NewUnitOfWork, control_counts: Counts
) -> None:
    [jo, kim] = make_users(control_uow, "jo", "kim")
    join_region(control_uow, jo, organization_id=1, region="us")
    before = control_counts()
    with pytest.raises(NotFound) as missing, control_uow() as uow:
        add_user_roles(uow, [(jo, "Super Admin"), (kim, "Super Admin"), (kim, "Emperor")])
        uow.commit()
    assert missing.value.field == "role"
    assert control_counts() == before


def test_options_of_many_users_are_set_together(
    control_uow: NewUnitOfWork, control_counts: Counts
) -> None:
    [lee, max_] = make_users(control_uow, "lee", "max")
    with control_uow() as uow:
        [existing] = set_options(uow, [OptionValue(lee, "theme", '"dark"')])
        uow.commit()
    with control_uow() as uow:
        rows = set_options(
            uow,
            [
                OptionValue(lee, "theme", '"light"'),
                OptionValue(max_, "theme", '"dark"'),
                OptionValue(max_, "theme", '"blue"', project_id=5),
            ],
        )
        uow.commit()
    assert rows[0].id == existing.id
    assert [(row.user_id, row.project_id, row.value) for row in rows] == [
        (lee, None, '"light"'),
        (max_, None, '"dark"'),
        (max_, 5, '"blue"'),
    ]
    before = control_counts()
    with pytest.raises(NotFound) as missing, control_uow() as uow:
        set_options(
            uow,
            [
                OptionValue(lee, "theme", '"red"'),
                OptionValue(max_, "lang", '"fr"'),
                OptionValue(987654, "theme", '"x"'),
            ],
        )
        uow.commit()
    assert missing.value.field == "user_id"
    assert control_counts() == before
