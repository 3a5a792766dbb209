"""The region silo's tables; importing this package registers all of them on RegionBase."""

from region_silo.db.models.cache import CacheVersion
from region_silo.db.models.member import OrganizationMember, OrganizationMemberTeam
from region_silo.db.models.organization import Organization, OrganizationOption
from region_silo.db.models.outbox import RegionOutbox
from region_silo.db.models.project import Project, ProjectTeam
from region_silo.db.models.slug_replica import OrganizationSlugReservationReplica
from region_silo.db.models.team import Team

__all__ = [
    "CacheVersion",
    "Organization",
    "OrganizationMember",
    "OrganizationMemberTeam",
    "OrganizationOption",
    "OrganizationSlugReservationReplica",
    "Project",
    "ProjectTeam",
    "RegionOutbox",
    "Team",
]
