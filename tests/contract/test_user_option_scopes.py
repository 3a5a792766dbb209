"""Contract: user option reads take Sentry's scopes: global options unless a project or an
organization is named, and the key and project_ids filters."""

from __future__ import annotations

from shared.services.user_option.model import UserOption
from shared.services.user_option.service import UserOptionService
from tests.contract.conftest import MakeUser


def scoped(options: list[UserOption]) -> list[tuple[str, str, int | None, int | None]]:
    return [(o.key, o.value_json, o.project_id, o.organization_id) for o in options]


def test_get_many_reads_one_scope(
    user_option_service: UserOptionService, make_user: MakeUser
) -> None:
    user = make_user("scoped")
    ids = [user.id]
    service = user_option_service
    service.set_option(user_id=user.id, key="timezone", value_json='"UTC"')
    service.set_option(user_id=user.id, key="language", value_json='"de"')
    service.set_option(user_id=user.id, key="timezone", value_json='"Asia/Tokyo"', project_id=9)
    service.set_option(user_id=user.id, key="mail", value_json="1", project_id=10)
    service.set_option(user_id=user.id, key="timezone", value_json="4", organization_id=4)

    assert scoped(service.get_many(user_ids=ids)) == [
        ("timezone", '"UTC"', None, None),
        ("language", '"de"', None, None),
    ]
    assert scoped(service.get_many(user_ids=ids, project_id=9)) == [
        ("timezone", '"Asia/Tokyo"', 9, None)
    ]
    assert scoped(service.get_many(user_ids=ids, organization_id=4)) == [("timezone", "4", None, 4)]
    assert scoped(service.get_many(user_ids=ids, project_ids=[9, 10])) == [
        ("timezone", '"Asia/Tokyo"', 9, None),
        ("mail", "1", 10, None),
    ]
    assert service.get_many(user_ids=ids, project_ids=[]) == []
    assert scoped(service.get_many(user_ids=ids, key="language")) == [
        ("language", '"de"', None, None)
    ]
    assert scoped(service.get_many(user_ids=ids, key="timezone", project_ids=[9, 10])) == [
        ("timezone", '"Asia/Tokyo"', 9, None)
    ]
    assert scoped(service.get_many(user_ids=ids, keys=["mail"], key="timezone")) == [
        ("timezone", '"UTC"', None, None)
    ]
