"""The control silo's tables; importing this package registers all of them on ControlBase."""

from control_silo.db.models.auth import AuthIdentityRow, AuthProviderRow
from control_silo.db.models.avatar import UserAvatarRow, UserEmailRequestRow, UserSocialAuthRow
from control_silo.db.models.cache import UserCacheVersionRow
from control_silo.db.models.organization import (
    OrganizationIdAllocationRow,
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
    OrganizationSlugReservationRow,
)
from control_silo.db.models.outbox import ControlOutboxRow
from control_silo.db.models.relocation import AuthenticatorRow, ControlImportChunkRow, UserIPRow
from control_silo.db.models.user import (
    EmailRow,
    LostPasswordHashRow,
    UserEmailRow,
    UserOptionRow,
    UserPermissionRow,
    UserRoleRow,
    UserRoleUserRow,
    UserRow,
)

__all__ = [
    "AuthIdentityRow",
    "AuthProviderRow",
    "AuthenticatorRow",
    "ControlImportChunkRow",
    "ControlOutboxRow",
    "EmailRow",
    "LostPasswordHashRow",
    "OrganizationIdAllocationRow",
    "OrganizationMappingRow",
    "OrganizationMemberMappingRow",
    "OrganizationSlugReservationRow",
    "UserAvatarRow",
    "UserCacheVersionRow",
    "UserEmailRequestRow",
    "UserEmailRow",
    "UserIPRow",
    "UserOptionRow",
    "UserPermissionRow",
    "UserRoleRow",
    "UserRoleUserRow",
    "UserRow",
    "UserSocialAuthRow",
]
