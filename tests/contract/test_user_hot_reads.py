"""GetUser and GetManyByID (one statement, answered from the read cache) give exactly what the
other reads of the same users give (the ORM loader behind GetMany and GetByUsername), locally and
over gRPC, after every kind of write through the service."""

from __future__ import annotations

from shared.services.user.model import AvatarType, User, UserFilter, UserUpdate
from shared.services.user.service import UserService
from tests.contract.conftest import MakeUser


def _by_loader(user_service: UserService, ids: list[int]) -> dict[int, User]:
    page = user_service.get_many(filter=UserFilter(user_ids=ids), page_size=100)
    return {user.id: user for user in page.users}


def _assert_same(user_service: UserService, ids: list[int]) -> None:
    loaded = _by_loader(user_service, ids)
    assert set(loaded) == set(ids)
    for user_id in ids:
        assert user_service.get_user(user_id=user_id) == loaded[user_id]
    assert user_service.get_many_by_id(user_ids=[*ids, *ids]) == [loaded[i] for i in ids * 2]


def test_hot_reads_equal_the_loader_through_every_kind_of_write(
    user_service: UserService, make_user: MakeUser
) -> None:
    plain = make_user("plain")
    rich = make_user("rich", name="Rich Person", password="secret")
    ids = [plain.id, rich.id]
    _assert_same(user_service, ids)
    user_service.update_user(
        user_id=rich.id,
        update=UserUpdate(
            email="rich.work@example.com",
            avatar_type=AvatarType.UPLOAD,
            avatar_url="https://example.com/a.png",
            is_staff=True,
            is_superuser=True,
        ),
    )
    _assert_same(user_service, ids)
    user_service.verify_user_email(user_id=rich.id, email="rich@example.com")
    _assert_same(user_service, ids)
    user_service.add_permission(user_id=rich.id, permission="users.admin")
    user_service.add_user_role(user_id=rich.id, role="Super Admin")
    _assert_same(user_service, ids)
    rich_now = user_service.get_user(user_id=rich.id)
    assert rich_now.roles == {"broadcasts.admin", "users.admin", "options.admin"}
    assert rich_now.permissions == {"users.admin"}
    assert "rich@example.com" in rich_now.emails
    user_service.remove_user_role(user_id=rich.id, role="Super Admin")
    user_service.remove_permission(user_id=rich.id, permission="users.admin")
    user_service.flush_nonce(user_id=rich.id)
    user_service.update_user(user_id=plain.id, update=UserUpdate(is_active=False, password="pw"))
    _assert_same(user_service, ids)
    assert user_service.get_user(user_id=rich.id).roles == frozenset()
    assert user_service.get_many_by_id(user_ids=[999_999, plain.id]) == [
        user_service.get_user(user_id=plain.id)
    ]
