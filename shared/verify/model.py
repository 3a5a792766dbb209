"""What `silo verify` reads from each side, what it finds, and how each finding is repaired."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class OrganizationRecord:
    """An organization as its region holds it."""

    id: int
    slug: str
    name: str
    status: int


@dataclass(frozen=True)
class MemberRecord:
    """A membership (or invitation) as its region holds it, in the fields the control silo
    mirrors."""

    id: int
    organization_id: int
    user_id: int | None
    email: str | None
    role: str
    inviter_id: int | None


@dataclass(frozen=True)
class MappingRecord:
    """The control silo's mapping of an organization."""

    organization_id: int
    slug: str
    name: str
    status: int
    region_name: str
    verified: bool
    date_created: datetime


@dataclass(frozen=True)
class ReservationRecord:
    """A slug reservation of the control silo."""

    organization_id: int
    slug: str
    region_name: str
    reservation_type: int
    date_added: datetime


@dataclass
class RegionSnapshot:
    """Every organization and membership of one region."""

    organizations: list[OrganizationRecord] = field(default_factory=list)
    members: list[MemberRecord] = field(default_factory=list)


@dataclass
class ControlSnapshot:
    """The control silo's directory: mappings, member mappings and slug reservations."""

    mappings: list[MappingRecord] = field(default_factory=list)
    member_mappings: list[MemberRecord] = field(default_factory=list)
    reservations: list[ReservationRecord] = field(default_factory=list)


class Repair(StrEnum):
    """How a difference is put right, each through the path a normal write takes."""

    RESEND_ORGANIZATION = "the region re-sends the organization through its outbox"
    RESEND_MEMBER = "the region re-sends the membership through its outbox"
    RELEASE = "the control silo releases the organization's reservations and mappings"
    RESERVE = "the control silo reserves the organization's slug"
    MOVE_RESERVATION = "the control silo moves the reservation to the organization's slug"
    NONE = "needs an operator"


@dataclass(frozen=True)
class Difference:
    """One way the control silo and a region disagree."""

    organization_id: int
    region_name: str | None
    what: str
    repair: Repair
    member_id: int | None = None
    slug: str | None = None
    orphan: bool = False
    """A reservation or mapping without an organization (what `--release-orphans` repairs)."""

    def describe(self) -> str:
        """One line naming the organization (and membership) and what differs."""
        subject = f"organization {self.organization_id}"
        if self.member_id is not None:
            subject += f" member {self.member_id}"
        where = f" in {self.region_name}" if self.region_name else ""
        return f"{subject}{where}: {self.what}"


class ControlSide(Protocol):
    """The control silo's database, as `silo verify` reads and repairs it."""

    def snapshot(self) -> ControlSnapshot:
        """Every mapping, member mapping and reservation."""

    def release(self, organization_id: int) -> None:
        """Releases the organization's reservations and mappings, telling their regions."""

    def reserve(self, organization_id: int, slug: str, region_name: str) -> None:
        """Reserves ``slug`` for the organization (raises ``AlreadyExists`` when taken)."""

    def move_reservation(self, organization_id: int, slug: str, region_name: str) -> None:
        """Moves the organization's reservation (and mapping) to ``slug``."""

    def close(self) -> None:
        """Releases the connections."""


class RegionSide(Protocol):
    """One region's database, as `silo verify` reads and repairs it."""

    def snapshot(self) -> RegionSnapshot:
        """Every organization and membership."""

    def resend_organizations(self, organization_ids: Sequence[int]) -> None:
        """Writes an organization message for each, as a change of the organization would."""

    def resend_members(self, members: Sequence[tuple[int, int]]) -> None:
        """Writes a membership message for each (organization id, member id)."""

    def close(self) -> None:
        """Releases the connections."""


OpenControl = Callable[[str], ControlSide]
"""Opens the control side on a database URL (the `silo.verify` entry point `control`)."""

OpenRegion = Callable[[str, str], RegionSide]
"""Opens a region's side on (region name, database URL) (the entry point `region`)."""


@dataclass(frozen=True)
class Checked:
    """Snapshots taken together, with the time and the grace before orphans count."""

    control: ControlSnapshot
    regions: Mapping[str, RegionSnapshot]
    now: datetime
    grace_seconds: float
