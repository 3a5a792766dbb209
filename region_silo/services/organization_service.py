"""The organization service backed by the region database, provisioning through the control silo."""

from __future__ import annotations

from region_silo.services.member_methods import MemberMethods
from region_silo.services.organization_methods import OrganizationMethods


class DatabaseOrganizationService(OrganizationMethods, MemberMethods):
    """Organizations of one region; user data and global slugs come from the control silo."""
