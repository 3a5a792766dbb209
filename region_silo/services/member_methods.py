"""The organization service's members and teams, and the user copies they keep."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select

from region_silo.db.models import OrganizationMemberRow, TeamRow
from region_silo.services.organization_base import OrganizationServiceBase
from region_silo.services.rows import to_member, to_team
from region_silo.writes import members, require_organization
from region_silo.writes.members import NewMember
from region_silo.writes.teams import TeamMembership, add_team_members
from shared import validation
from shared.errors import InvalidArgument
from shared.folding import fold_case
from shared.services.organization.model import MemberRole, OrganizationMember, Team
from shared.services.user.model import User


class MemberMethods(OrganizationServiceBase):
    """The member and team methods of ``DatabaseOrganizationService``."""

    def add_organization_member(
        self,
        *,
        organization_id: int,
        role: MemberRole,
        user_id: int | None = None,
        email: str | None = None,
        inviter_id: int | None = None,
    ) -> OrganizationMember:
        if (user_id is None) == (not email):
            raise InvalidArgument(
                "give either user_id or email (for an invitation)", field="user_id"
            )
        if inviter_id is not None:
            validation.positive_id(inviter_id, "inviter_id")
        if user_id is not None:
            user = self._user(user_id, "user_id")
            member = NewMember(
                organization_id,
                role,
                user_id=user.id,
                user_is_active=user.is_active,
                user_email=user.email,
                inviter_id=inviter_id,
            )
        else:
            address = validation.email(email or "")
            member = NewMember(organization_id, role, email=address, inviter_id=inviter_id)
        with self._uow() as uow:
            added = to_member(members.add_member(uow, member))
            uow.commit()
        return added

    def get_single_team(self, *, organization_id: int) -> Team | None:
        with self._uow(read_only=True) as uow:
            require_organization(uow.session, organization_id)
            teams = uow.session.scalars(
                select(TeamRow).where(TeamRow.organization_id == organization_id).limit(2)
            ).all()
            return to_team(teams[0]) if len(teams) == 1 else None

    def add_team_member(self, *, organization_id: int, team_id: int, member_id: int) -> None:
        with self._uow() as uow:
            if add_team_members(uow, [TeamMembership(organization_id, team_id, member_id)]):
                uow.commit()

    def list_members(self, *, organization_id: int) -> list[OrganizationMember]:
        with self._uow(read_only=True) as uow:
            require_organization(uow.session, organization_id)
            rows = uow.session.scalars(
                select(OrganizationMemberRow)
                .where(OrganizationMemberRow.organization_id == organization_id)
                .order_by(OrganizationMemberRow.id)
            ).all()
        users = self._users_by_id([row.user_id for row in rows if row.user_id is not None])
        return [
            to_member(row, users.get(row.user_id) if row.user_id is not None else None)
            for row in rows
        ]

    def _users_by_id(self, user_ids: Sequence[int]) -> dict[int, User]:
        found: dict[int, User] = {}
        unique = sorted(set(user_ids))
        for start in range(0, len(unique), validation.MAX_LIST_LENGTH):
            chunk = unique[start : start + validation.MAX_LIST_LENGTH]
            found.update((user.id, user) for user in self._users.get_many_by_id(user_ids=chunk))
        return found

    def check_membership_by_id(
        self, *, organization_id: int, user_id: int
    ) -> OrganizationMember | None:
        with self._uow(read_only=True) as uow:
            row = uow.session.scalars(
                select(OrganizationMemberRow).where(
                    OrganizationMemberRow.organization_id == organization_id,
                    OrganizationMemberRow.user_id == user_id,
                )
            ).first()
            return to_member(row) if row is not None else None

    def check_membership_by_email(
        self, *, organization_id: int, email: str
    ) -> OrganizationMember | None:
        wanted = fold_case(email.strip())
        with self._uow(read_only=True) as uow:
            row = uow.session.scalars(
                select(OrganizationMemberRow)
                .where(
                    OrganizationMemberRow.organization_id == organization_id,
                    or_(
                        func.lower(OrganizationMemberRow.email) == wanted,
                        func.lower(OrganizationMemberRow.user_email) == wanted,
                    ),
                )
                .order_by(OrganizationMemberRow.id)
            ).first()
            return to_member(row) if row is not None else None

    def delete_organization_member(self, *, organization_id: int, member_id: int) -> None:
        with self._uow() as uow:
            members.delete_member(uow, organization_id, member_id)
            uow.commit()

    def update_region_user(self, *, user_id: int, is_active: bool, email: str) -> int:
        validation.positive_id(user_id, "user_id")
        with self._uow() as uow:
            changed = members.update_user_copies(uow, user_id, is_active, email)
            uow.commit()
        return changed

    def remove_user(self, *, user_id: int) -> int:
        validation.positive_id(user_id, "user_id")
        with self._uow() as uow:
            removed = members.remove_user(uow, user_id)
            uow.commit()
        return removed
