"""Typed values of the organization mapping services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OrganizationMapping:
    """Where an organization lives and what it is called; ``verified`` once its region confirmed."""

    organization_id: int
    slug: str
    name: str
    region_name: str
    status: int
    verified: bool
    date_created: datetime


@dataclass(frozen=True)
class OrganizationMappingUpdate:
    """A region's current state of an organization; ``version`` only ever grows."""

    organization_id: int
    slug: str
    name: str
    region_name: str
    status: int
    version: int


@dataclass(frozen=True)
class MemberMappingUpdate:
    """A region's current state of a membership; ``version`` only ever grows."""

    organization_id: int
    organizationmember_id: int
    user_id: int | None
    email: str
    role: str
    inviter_id: int | None
    version: int
