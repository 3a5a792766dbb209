"""Contract: empty lists in a user filter match nothing, and a query matches its text literally."""

from __future__ import annotations

from control_silo.bootstrap import ControlSilo
from shared.services.user.model import UserFilter
from shared.services.user.service import UserService
from tests.contract.conftest import MakeUser
from tests.contract.test_user_reads import add_membership


def ids(user_service: UserService, user_filter: UserFilter) -> list[int]:
    return [user.id for user in user_service.get_many(filter=user_filter).users]


def test_an_empty_list_matches_nothing(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    ann = make_user("ann")
    bob = make_user("bob")
    add_membership(control_silo, 7, ann.id, "us")
    add_membership(control_silo, 7, bob.id, "us")
    assert ids(user_service, UserFilter(organization_id=7)) == [ann.id, bob.id]
    assert ids(user_service, UserFilter(user_ids=[], organization_id=7)) == []
    assert ids(user_service, UserFilter(emails=[], organization_id=7)) == []
    assert ids(user_service, UserFilter(user_ids=[])) == []
    assert ids(user_service, UserFilter(emails=[])) == []
    assert ids(user_service, UserFilter(user_ids=[ann.id], emails=[])) == []
    assert ids(user_service, UserFilter(user_ids=[bob.id], organization_id=7)) == [bob.id]


def test_a_query_matches_percent_and_underscore_literally(
    user_service: UserService, make_user: MakeUser, control_silo: ControlSilo
) -> None:
    plain = make_user("plain", "plain@example.com", name="Plain")
    percent = make_user("percent", "percent@example.com", name="100% Sure")
    under = make_user("under", "under_score@example.com", name="Under")
    back = make_user("back", "back@example.com", name="Back\\slash")
    for user in (plain, percent, under, back):
        add_membership(control_silo, 9, user.id, "us")
    assert ids(user_service, UserFilter(organization_id=9, query="%")) == [percent.id]
    assert ids(user_service, UserFilter(organization_id=9, query="_")) == [under.id]
    assert ids(user_service, UserFilter(organization_id=9, query="0% s")) == [percent.id]
    assert ids(user_service, UserFilter(organization_id=9, query="\\")) == [back.id]
    assert ids(user_service, UserFilter(organization_id=9, query="example")) == [
        plain.id,
        percent.id,
        under.id,
        back.id,
    ]
