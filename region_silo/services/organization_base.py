"""What the parts of the database organization service share: database, outbox, control."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from shared import validation
from shared.db.unit_of_work import UnitOfWork
from shared.errors import NotFound
from shared.outbox.writer import OutboxWriter
from shared.services.organization.service import OrganizationService
from shared.services.organization_mapping.service import OrganizationMappingService
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.user.model import User
from shared.services.user.service import UserService


class OrganizationServiceBase(OrganizationService):
    """The state of ``DatabaseOrganizationService``; its organization and member methods are
    parts built on this."""

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

    def _user(self, user_id: int, field: str) -> User:
        validation.positive_id(user_id, field)
        try:
            return self._users.get_user(user_id=user_id)
        except NotFound:
            raise NotFound(f"no user has id {user_id}", field=field) from None
