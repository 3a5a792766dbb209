"""Contract: the user option service, locally and over gRPC."""

from __future__ import annotations

import json

import pytest

from shared.errors import InvalidArgument, NotFound
from shared.services.user_option.service import UserOptionService
from tests.contract.conftest import MakeUser, RowCounts


def test_set_option_upserts_per_scope(
    user_option_service: UserOptionService, make_user: MakeUser
) -> None:
    user = make_user("opt")
    first = user_option_service.set_option(user_id=user.id, key="timezone", value_json='"UTC"')
    again = user_option_service.set_option(
        user_id=user.id, key="timezone", value_json='"Europe/Vienna"'
    )
    scoped = user_option_service.set_option(
        user_id=user.id, key="timezone", value_json='"Asia/Tokyo"', project_id=9
    )
    org = user_option_service.set_option(
        user_id=user.id, key="timezone", value_json="1", organization_id=4
    )
    assert again.id == first.id
    assert json.loads(again.value_json) == "Europe/Vienna"
    assert len({first.id, scoped.id, org.id}) == 3
    options = [
        *user_option_service.get_many(user_ids=[user.id]),
        *user_option_service.get_many(user_ids=[user.id], project_id=9),
        *user_option_service.get_many(user_ids=[user.id], organization_id=4),
    ]
    assert [(o.key, o.value_json, o.project_id, o.organization_id) for o in options] == [
        ("timezone", '"Europe/Vienna"', None, None),
        ("timezone", '"Asia/Tokyo"', 9, None),
        ("timezone", "1", None, 4),
    ]


def test_get_many_narrows_by_key_and_scope(
    user_option_service: UserOptionService, make_user: MakeUser
) -> None:
    a, b = make_user("a"), make_user("b")
    user_option_service.set_option(user_id=a.id, key="language", value_json='"de"')
    user_option_service.set_option(user_id=a.id, key="theme", value_json='"dark"')
    user_option_service.set_option(user_id=b.id, key="language", value_json='"fr"', project_id=3)
    language = user_option_service.get_many(user_ids=[a.id, b.id], keys=["language"])
    assert [(o.user_id, o.value_json) for o in language] == [(a.id, '"de"')]
    language = user_option_service.get_many(user_ids=[a.id, b.id], keys=["language"], project_id=3)
    assert [(o.user_id, o.value_json) for o in language] == [(b.id, '"fr"')]
    in_project = user_option_service.get_many(user_ids=[a.id, b.id], project_id=3)
    assert [o.user_id for o in in_project] == [b.id]
    assert user_option_service.get_many(user_ids=[a.id], organization_id=1) == []


def test_delete_options(user_option_service: UserOptionService, make_user: MakeUser) -> None:
    user = make_user("del")
    keep = user_option_service.set_option(user_id=user.id, key="keep", value_json="true")
    drop = user_option_service.set_option(user_id=user.id, key="drop", value_json="false")
    assert user_option_service.delete_options(option_ids=[drop.id, 999_999]) == 1
    assert user_option_service.delete_options(option_ids=[drop.id]) == 0
    assert [o.id for o in user_option_service.get_many(user_ids=[user.id])] == [keep.id]


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("k", "{not json", "value_json"),
        ("k", "", "value_json"),
        ("", "1", "key"),
        ("k" * 65, "1", "key"),
    ],
)
def test_set_option_rejects_bad_input(
    user_option_service: UserOptionService,
    make_user: MakeUser,
    row_counts: RowCounts,
    key: str,
    value: str,
    field: str,
) -> None:
    user = make_user("bad")
    before = row_counts()
    with pytest.raises(InvalidArgument) as raised:
        user_option_service.set_option(user_id=user.id, key=key, value_json=value)
    assert raised.value.field == field
    assert row_counts() == before


def test_option_errors(user_option_service: UserOptionService, row_counts: RowCounts) -> None:
    before = row_counts()
    with pytest.raises(NotFound) as missing:
        user_option_service.set_option(user_id=4040, key="k", value_json="1")
    assert missing.value.field == "user_id"
    with pytest.raises(InvalidArgument) as empty:
        user_option_service.get_many(user_ids=[])
    assert empty.value.field == "user_ids"
    with pytest.raises(InvalidArgument) as too_many:
        user_option_service.delete_options(option_ids=list(range(1, 1002)))
    assert too_many.value.field == "option_ids"
    assert row_counts() == before


def test_missing_user_id_is_invalid(user_option_service: UserOptionService) -> None:
    with pytest.raises(InvalidArgument) as raised:
        user_option_service.set_option(user_id=0, key="k", value_json="1")
    assert raised.value.field == "user_id"
