"""The organization service backed by the region database, provisioning through the control silo."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from region_silo.db.models import (
    OrganizationMemberRow,
    OrganizationMemberTeamRow,
    OrganizationRow,
    TeamRow,
)
from region_silo.outbox.messages import member_changed, organization_changed
from region_silo.services.rows import to_member, to_organization, to_team
from shared import slugs, validation
from shared.db.types import utcnow
from shared.db.unit_of_work import UnitOfWork
from shared.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, SiloError
from shared.outbox.writer import OutboxWriter
from shared.services.organization.model import (
    MAX_ORGANIZATION_NAME_LENGTH,
    MemberRole,
    Organization,
    OrganizationMember,
    OrganizationStatus,
    Team,
)
from shared.services.organization.service import OrganizationService
from shared.services.organization_mapping.service import OrganizationMappingService
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.user.model import User
from shared.services.user.service import UserService

log = logging.getLogger("silo.region")

INVITE_DAYS_VALID = 30
INVITE_APPROVED = 0


class DatabaseOrganizationService(OrganizationService):
    """Organizations of one region; user data and global slugs come from the control silo."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        outbox: OutboxWriter,
        *,
        region_name: str,
        users: UserService,
        provisioning: OrganizationProvisioningService,
        mappings: OrganizationMappingService,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._region = region_name
        self._users = users
        self._provisioning = provisioning
        self._mappings = mappings

    def _uow(self, *, read_only: bool = False) -> UnitOfWork:
        if read_only:
            return UnitOfWork(self._sessions, read_only=True)
        return UnitOfWork(self._sessions, outbox=self._outbox)

    @staticmethod
    def _organization(session: Session, organization_id: int) -> OrganizationRow:
        validation.positive_id(organization_id, "organization_id")
        row = session.get(OrganizationRow, organization_id)
        if row is None:
            raise NotFound(f"no organization has id {organization_id}", field="organization_id")
        return row

    def _active_user(self, user_id: int, field: str) -> User:
        validation.positive_id(user_id, field)
        try:
            user = self._users.get_user(user_id=user_id)
        except NotFound:
            raise NotFound(f"no user has id {user_id}", field=field) from None
        if not user.is_active:
            raise FailedPrecondition(f"user {user_id} is not active", field=field)
        return user

    # Organizations

    def create_organization(
        self, *, slug: str, name: str, owner_user_id: int, default_role: MemberRole | None = None
    ) -> Organization:
        slugs.organization_slug(slug)
        validation.text(name, "name", max_length=MAX_ORGANIZATION_NAME_LENGTH)
        owner = self._active_user(owner_user_id, "owner_user_id")
        organization_id = self._provisioning.provision_organization(
            slug=slug, name=name, region_name=self._region, owner_user_id=owner_user_id
        )
        try:
            return self._create_rows(organization_id, slug, name, owner, default_role)
        except BaseException:
            self._release(organization_id)
            raise

    def _create_rows(
        self,
        organization_id: int,
        slug: str,
        name: str,
        owner: User,
        default_role: MemberRole | None,
    ) -> Organization:
        with self._uow() as uow:
            session = uow.session
            organization = OrganizationRow(
                id=organization_id,
                slug=slug,
                name=name,
                status=int(OrganizationStatus.ACTIVE),
                default_role=(default_role or MemberRole.MEMBER).value,
            )
            session.add(organization)
            # Rows of unrelated mappers flush in no fixed order: the organization goes first.
            try:
                uow.flush()
            except IntegrityError:
                raise AlreadyExists(f"{slug!r} is taken in this region", field="slug") from None
            member = OrganizationMemberRow(
                organization_id=organization_id,
                user_id=owner.id,
                role=MemberRole.OWNER.value,
                user_is_active=owner.is_active,
                user_email=owner.email,
            )
            team = TeamRow(organization_id=organization_id, slug=slug, name=name)
            session.add_all([member, team])
            uow.flush()
            session.add(OrganizationMemberTeamRow(team_id=team.id, organizationmember_id=member.id))
            uow.add_outbox(organization_changed(organization_id))
            uow.add_outbox(member_changed(organization_id, member.id))
            created = to_organization(organization)
            uow.commit()
        return created

    def _release(self, organization_id: int) -> None:
        try:
            self._mappings.delete(organization_id=organization_id)
        except SiloError as error:
            log.warning(
                "could not release provisioning of organization %s (reconciliation will): %s",
                organization_id,
                error,
            )

    def get_organization_by_id(self, *, organization_id: int) -> Organization:
        with self._uow(read_only=True) as uow:
            return to_organization(self._organization(uow.session, organization_id))

    def get_organization_by_slug(self, *, slug: str) -> Organization:
        with self._uow(read_only=True) as uow:
            row = uow.session.scalars(
                select(OrganizationRow).where(OrganizationRow.slug == slug)
            ).first()
            if row is None:
                raise NotFound(f"no organization in this region has slug {slug!r}", field="slug")
            return to_organization(row)

    def get_default_organization(self) -> Organization | None:
        with self._uow(read_only=True) as uow:
            row = uow.session.scalars(
                select(OrganizationRow)
                .where(OrganizationRow.status == int(OrganizationStatus.ACTIVE))
                .order_by(OrganizationRow.id)
                .limit(1)
            ).first()
            return to_organization(row) if row is not None else None

    def update_organization_slug(self, *, organization_id: int, slug: str) -> Organization:
        slugs.organization_slug(slug)
        with self._uow(read_only=True) as uow:
            current = self._organization(uow.session, organization_id)
            if current.slug == slug:
                return to_organization(current)
        previous = self._provisioning.update_organization_slug(
            organization_id=organization_id, slug=slug, region_name=self._region
        )
        try:
            with self._uow() as uow:
                row = self._organization(uow.session, organization_id)
                row.slug = slug
                uow.add_outbox(organization_changed(organization_id))
                uow.flush()
                updated = to_organization(row)
                uow.commit()
            return updated
        except BaseException:
            self._provisioning.update_organization_slug(
                organization_id=organization_id, slug=previous, region_name=self._region
            )
            raise

    # Members and teams

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
        row = OrganizationMemberRow(
            organization_id=organization_id, role=role.value, inviter_id=inviter_id
        )
        if user_id is not None:
            validation.positive_id(user_id, "user_id")
            try:
                user = self._users.get_user(user_id=user_id)
            except NotFound:
                raise NotFound(f"no user has id {user_id}", field="user_id") from None
            row.user_id, row.user_is_active, row.user_email = user.id, user.is_active, user.email
            duplicate = AlreadyExists(
                f"user {user_id} is already a member of organization {organization_id}",
                field="user_id",
            )
        else:
            address = validation.email(email or "")
            row.email = address
            row.token = secrets.token_hex(32)
            row.token_expires_at = utcnow() + timedelta(days=INVITE_DAYS_VALID)
            row.invite_status = INVITE_APPROVED
            duplicate = AlreadyExists(
                f"{address} is already invited to organization {organization_id}", field="email"
            )
        with self._uow() as uow:
            self._organization(uow.session, organization_id)
            if self._existing_member(uow.session, row) is not None:
                raise duplicate
            uow.session.add(row)
            try:
                uow.flush()
            except IntegrityError:
                raise duplicate from None
            uow.add_outbox(member_changed(organization_id, row.id))
            member = to_member(row)
            uow.commit()
        return member

    @staticmethod
    def _existing_member(
        session: Session, row: OrganizationMemberRow
    ) -> OrganizationMemberRow | None:
        same = (
            OrganizationMemberRow.user_id == row.user_id
            if row.user_id is not None
            else func.lower(OrganizationMemberRow.email) == (row.email or "").lower()
        )
        return session.scalars(
            select(OrganizationMemberRow).where(
                OrganizationMemberRow.organization_id == row.organization_id, same
            )
        ).first()

    def get_single_team(self, *, organization_id: int) -> Team | None:
        with self._uow(read_only=True) as uow:
            self._organization(uow.session, organization_id)
            teams = uow.session.scalars(
                select(TeamRow).where(TeamRow.organization_id == organization_id).limit(2)
            ).all()
            return to_team(teams[0]) if len(teams) == 1 else None

    def add_team_member(self, *, organization_id: int, team_id: int, member_id: int) -> None:
        with self._uow() as uow:
            session = uow.session
            team = session.get(TeamRow, team_id)
            if team is None or team.organization_id != organization_id:
                raise NotFound(
                    f"organization {organization_id} has no team {team_id}", field="team_id"
                )
            member = session.get(OrganizationMemberRow, member_id)
            if member is None or member.organization_id != organization_id:
                raise NotFound(
                    f"organization {organization_id} has no member {member_id}", field="member_id"
                )
            linked = session.scalar(
                select(OrganizationMemberTeamRow.id).where(
                    OrganizationMemberTeamRow.team_id == team_id,
                    OrganizationMemberTeamRow.organizationmember_id == member_id,
                )
            )
            if linked is None:
                session.add(
                    OrganizationMemberTeamRow(team_id=team_id, organizationmember_id=member_id)
                )
                uow.commit()

    def list_members(self, *, organization_id: int) -> list[OrganizationMember]:
        with self._uow(read_only=True) as uow:
            self._organization(uow.session, organization_id)
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
        wanted = email.strip().lower()
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
            row = uow.session.get(OrganizationMemberRow, member_id)
            if row is None or row.organization_id != organization_id:
                raise NotFound(
                    f"organization {organization_id} has no member {member_id}", field="member_id"
                )
            uow.session.execute(
                delete(OrganizationMemberTeamRow).where(
                    OrganizationMemberTeamRow.organizationmember_id == member_id
                )
            )
            uow.session.delete(row)
            uow.add_outbox(member_changed(organization_id, member_id))
            uow.commit()

    def update_region_user(self, *, user_id: int, is_active: bool, email: str) -> int:
        validation.positive_id(user_id, "user_id")
        with self._uow() as uow:
            result = uow.session.execute(
                update(OrganizationMemberRow)
                .where(OrganizationMemberRow.user_id == user_id)
                .values(user_is_active=is_active, user_email=email or None)
            )
            uow.commit()
        return int(getattr(result, "rowcount", 0) or 0)

    def remove_user(self, *, user_id: int) -> int:
        validation.positive_id(user_id, "user_id")
        with self._uow() as uow:
            rows = uow.session.scalars(
                select(OrganizationMemberRow).where(OrganizationMemberRow.user_id == user_id)
            ).all()
            for row in rows:
                uow.session.execute(
                    delete(OrganizationMemberTeamRow).where(
                        OrganizationMemberTeamRow.organizationmember_id == row.id
                    )
                )
                uow.session.delete(row)
                uow.add_outbox(member_changed(row.organization_id, row.id))
            uow.commit()
        return len(rows)
