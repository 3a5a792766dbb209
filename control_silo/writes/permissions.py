"""Installation-wide permissions and roles held by users."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select

from control_silo.db.models import UserPermissionRow, UserRoleRow, UserRoleUserRow
from control_silo.outbox.messages import user_changed, users_changed
from control_silo.writes.users import require_user, require_users
from shared.db.bulk import batches
from shared.db.unit_of_work import UnitOfWork
from shared.errors import NotFound


def add_permissions(uow: UnitOfWork, grants: Sequence[tuple[int, str]]) -> int:
    """Grants each (user id, permission) pair the user does not hold yet, tells those users'
    regions, and returns how many grants were new.

    :raises NotFound: a user does not exist (field ``user_id``).
    """
    session = uow.session
    require_users(session, [user_id for user_id, _ in grants])
    held: set[tuple[int, str]] = set()
    for user_ids in batches(sorted({user_id for user_id, _ in grants})):
        query = select(UserPermissionRow.user_id, UserPermissionRow.permission).where(
            UserPermissionRow.user_id.in_(user_ids)
        )
        held.update((user_id, permission) for user_id, permission in session.execute(query))
    new = [grant for grant in dict.fromkeys(grants) if grant not in held]
    for batch in batches(new):
        session.execute(
            insert(UserPermissionRow),
            [{"user_id": user_id, "permission": permission} for user_id, permission in batch],
        )
    users_changed(uow, [user_id for user_id, _ in new])
    return len(new)


def remove_permission(uow: UnitOfWork, user_id: int, permission: str) -> None:
    """Takes a permission from the user (held or not) and tells the user's regions.

    :raises NotFound: no user has ``user_id`` (field ``user_id``).
    """
    require_user(uow.session, user_id)
    uow.session.execute(
        delete(UserPermissionRow).where(
            UserPermissionRow.user_id == user_id, UserPermissionRow.permission == permission
        )
    )
    user_changed(uow, user_id)


def add_user_roles(uow: UnitOfWork, grants: Sequence[tuple[int, str]]) -> int:
    """Gives each (user id, role name) pair the user does not hold yet, tells those users'
    regions, and returns how many were new.

    :raises NotFound: a user (field ``user_id``) or a role (field ``role``) does not exist.
    """
    session = uow.session
    require_users(session, [user_id for user_id, _ in grants])
    names = sorted({role for _, role in grants})
    roles = select(UserRoleRow.name, UserRoleRow.id).where(UserRoleRow.name.in_(names))
    role_ids = {name: role_id for name, role_id in session.execute(roles)}
    for _, role in grants:
        if role not in role_ids:
            raise NotFound(f"no role is named {role!r}", field="role")
    held: set[tuple[int, int]] = set()
    for user_ids in batches(sorted({user_id for user_id, _ in grants})):
        query = select(UserRoleUserRow.user_id, UserRoleUserRow.role_id).where(
            UserRoleUserRow.user_id.in_(user_ids)
        )
        held.update((user_id, role_id) for user_id, role_id in session.execute(query))
    wanted = dict.fromkeys((user_id, role_ids[role]) for user_id, role in grants)
    new = [pair for pair in wanted if pair not in held]
    for batch in batches(new):
        session.execute(
            insert(UserRoleUserRow),
            [{"user_id": user_id, "role_id": role_id} for user_id, role_id in batch],
        )
    users_changed(uow, [user_id for user_id, _ in new])
    return len(new)


def remove_user_role(uow: UnitOfWork, user_id: int, role: str) -> None:
    """Takes a role from the user (held or not) and tells the user's regions.

    :raises NotFound: no user has ``user_id`` (field ``user_id``).
    """
    require_user(uow.session, user_id)
    role_ids = select(UserRoleRow.id).where(UserRoleRow.name == role)
    uow.session.execute(
        delete(UserRoleUserRow).where(
            UserRoleUserRow.user_id == user_id, UserRoleUserRow.role_id.in_(role_ids)
        )
    )
    user_changed(uow, user_id)
