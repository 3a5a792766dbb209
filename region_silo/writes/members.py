"""Memberships and invitations of organizations, and the copies of user fields they keep."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from region_silo.db.models import OrganizationMemberRow, OrganizationMemberTeamRow
from region_silo.outbox.messages import member_changed
from region_silo.writes import require_organizations
from shared.db.bulk import batches
from shared.db.types import utcnow
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists, NotFound
from shared.services.organization.model import MemberRole

INVITE_DAYS_VALID = 30
INVITE_APPROVED = 0


@dataclass(frozen=True)
class NewMember:
    """A membership of a user, with copies of its active flag and primary email; or, when
    ``user_id`` is None, an invitation of ``email``."""

    organization_id: int
    role: MemberRole
    user_id: int | None = None
    user_is_active: bool = True
    user_email: str | None = None
    email: str | None = None
    inviter_id: int | None = None

    @property
    def key(self) -> tuple[int, int | None, str]:
        """What may appear once per organization: the user, or the invited address."""
        if self.user_id is not None:
            return (self.organization_id, self.user_id, "")
        return (self.organization_id, None, (self.email or "").lower())

    def duplicate(self) -> AlreadyExists:
        """The error of adding this member twice."""
        if self.user_id is not None:
            return AlreadyExists(
                f"user {self.user_id} is already a member of organization {self.organization_id}",
                field="user_id",
            )
        return AlreadyExists(
            f"{self.email} is already invited to organization {self.organization_id}",
            field="email",
        )


def add_members(uow: UnitOfWork, members: Sequence[NewMember]) -> list[OrganizationMemberRow]:
    """Inserts the memberships and invitations (each invitation with a fresh token), tells the
    control silo of each, and returns their rows in the order given.

    :raises NotFound: an organization does not exist (field ``organization_id``).
    :raises AlreadyExists: a user is a member, or an address is invited, already or twice
        (field ``user_id`` or ``email``).
    """
    if not members:
        return []
    session = uow.session
    require_organizations(session, [member.organization_id for member in members])
    conflict = _first_duplicate(session, members)
    if conflict is not None:
        raise conflict.duplicate()
    by_key: dict[tuple[int, int | None, str], OrganizationMemberRow] = {}
    try:
        with session.begin_nested():
            for batch in batches([member_columns(member) for member in members]):
                for row in session.scalars(
                    insert(OrganizationMemberRow).returning(OrganizationMemberRow), batch
                ):
                    by_key[_key_of(row)] = row
    except IntegrityError:
        # Added by another writer between the check and the insert.
        raise (_first_duplicate(session, members) or members[0]).duplicate() from None
    rows = [by_key[member.key] for member in members]
    for row in rows:
        uow.add_outbox(member_changed(row.organization_id, row.id))
    return rows


def add_member(uow: UnitOfWork, member: NewMember) -> OrganizationMemberRow:
    """The single form of ``add_members``."""
    return add_members(uow, [member])[0]


def _key_of(row: OrganizationMemberRow) -> tuple[int, int | None, str]:
    if row.user_id is not None:
        return (row.organization_id, row.user_id, "")
    return (row.organization_id, None, (row.email or "").lower())


def member_columns(member: NewMember) -> dict[str, object]:
    """The column values of the membership or invitation row for ``member``."""
    invited = member.user_id is None
    return {
        "organization_id": member.organization_id,
        "role": member.role.value,
        "inviter_id": member.inviter_id,
        "user_id": member.user_id,
        "user_is_active": member.user_is_active,
        "user_email": member.user_email,
        "email": member.email if invited else None,
        "token": secrets.token_hex(32) if invited else None,
        "token_expires_at": utcnow() + timedelta(days=INVITE_DAYS_VALID) if invited else None,
        "invite_status": INVITE_APPROVED,
    }


def _first_duplicate(session: Session, members: Sequence[NewMember]) -> NewMember | None:
    """The first member that exists already or comes twice."""
    present: set[tuple[int, int | None, str]] = set()
    for batch in batches(members):
        organization_ids = {member.organization_id for member in batch}
        user_ids = {member.user_id for member in batch if member.user_id is not None}
        addresses = {(member.email or "").lower() for member in batch if member.user_id is None}
        in_batch = OrganizationMemberRow.organization_id.in_(organization_ids)
        if user_ids:
            users = select(OrganizationMemberRow.organization_id, OrganizationMemberRow.user_id)
            for organization_id, user_id in session.execute(
                users.where(in_batch, OrganizationMemberRow.user_id.in_(user_ids))
            ):
                present.add((organization_id, user_id, ""))
        if addresses:
            lowered = func.lower(OrganizationMemberRow.email)
            invited = select(OrganizationMemberRow.organization_id, lowered)
            for organization_id, address in session.execute(
                invited.where(in_batch, lowered.in_(addresses))
            ):
                present.add((organization_id, None, address))
    for member in members:
        if member.key in present:
            return member
        present.add(member.key)
    return None


def delete_member(uow: UnitOfWork, organization_id: int, member_id: int) -> None:
    """Deletes the membership and its team links, and tells the control silo.

    :raises NotFound: the organization has no such member (field ``member_id``).
    """
    row = uow.session.get(OrganizationMemberRow, member_id)
    if row is None or row.organization_id != organization_id:
        raise NotFound(
            f"organization {organization_id} has no member {member_id}", field="member_id"
        )
    _delete(uow, [row])


def remove_user(uow: UnitOfWork, user_id: int) -> int:
    """Deletes every membership of the user, with its team links, telling the control silo of
    each; returns how many there were."""
    rows = uow.session.scalars(
        select(OrganizationMemberRow)
        .where(OrganizationMemberRow.user_id == user_id)
        .order_by(OrganizationMemberRow.id)
    ).all()
    _delete(uow, rows)
    return len(rows)


def _delete(uow: UnitOfWork, rows: Sequence[OrganizationMemberRow]) -> None:
    for batch in batches([row.id for row in rows]):
        uow.session.execute(
            delete(OrganizationMemberTeamRow).where(
                OrganizationMemberTeamRow.organizationmember_id.in_(batch)
            )
        )
    for row in rows:
        uow.session.delete(row)
        uow.add_outbox(member_changed(row.organization_id, row.id))


def update_user_copies(uow: UnitOfWork, user_id: int, is_active: bool, email: str) -> int:
    """Copies the user's active flag and primary email onto its memberships; returns how many
    memberships it changed."""
    result = uow.session.execute(
        update(OrganizationMemberRow)
        .where(OrganizationMemberRow.user_id == user_id)
        .values(user_is_active=is_active, user_email=email or None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
