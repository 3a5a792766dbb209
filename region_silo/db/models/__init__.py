"""The region silo's tables; importing this package registers all of them on RegionBase."""

from region_silo.db.models.auth_token import OrgAuthTokenRow
from region_silo.db.models.cache import CacheVersionRow
from region_silo.db.models.member import OrganizationMemberRow, OrganizationMemberTeamRow
from region_silo.db.models.organization import OrganizationOptionRow, OrganizationRow
from region_silo.db.models.outbox import RegionOutboxRow
from region_silo.db.models.project import ProjectRow, ProjectTeamRow
from region_silo.db.models.relocation import RegionImportChunkRow
from region_silo.db.models.slug_replica import OrganizationSlugReservationReplicaRow
from region_silo.db.models.team import TeamRow

__all__ = [
    "CacheVersionRow",
    "OrgAuthTokenRow",
    "OrganizationMemberRow",
    "OrganizationMemberTeamRow",
    "OrganizationOptionRow",
    "OrganizationRow",
    "OrganizationSlugReservationReplicaRow",
    "ProjectRow",
    "ProjectTeamRow",
    "RegionImportChunkRow",
    "RegionOutboxRow",
    "TeamRow",
]
