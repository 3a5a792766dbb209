"""The control silo's tables; importing this package registers all of them on ControlBase."""

from control_silo.db.models.auth import AuthIdentity, AuthProvider
from control_silo.db.models.organization import (
    OrganizationIdAllocation,
    OrganizationMapping,
    OrganizationMemberMapping,
    OrganizationSlugReservation,
)
from control_silo.db.models.outbox import ControlOutbox
from control_silo.db.models.user import (
    Email,
    LostPasswordHash,
    User,
    UserEmail,
    UserOption,
    UserPermission,
    UserRole,
    UserRoleUser,
)

__all__ = [
    "AuthIdentity",
    "AuthProvider",
    "ControlOutbox",
    "Email",
    "LostPasswordHash",
    "OrganizationIdAllocation",
    "OrganizationMapping",
    "OrganizationMemberMapping",
    "OrganizationSlugReservation",
    "User",
    "UserEmail",
    "UserOption",
    "UserPermission",
    "UserRole",
    "UserRoleUser",
]
