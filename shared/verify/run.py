"""One `silo verify` run: snapshots of every side, the differences, and their repair."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from shared.errors import SiloError
from shared.verify.compare import differences
from shared.verify.model import Checked, ControlSide, Difference, RegionSide, Repair

Snapshot = TypeVar("Snapshot")


class Unreadable(Exception):
    """A silo's database cannot be read (unreachable, or not migrated)."""

    def __init__(self, side: str, error: SQLAlchemyError) -> None:
        cause = str(getattr(error, "orig", None) or error).splitlines()[0]
        super().__init__(f"cannot read the {side} database: {cause[:200]}")


def _read(side: str, read: Callable[[], Snapshot]) -> Snapshot:
    try:
        return read()
    except SQLAlchemyError as error:
        raise Unreadable(side, error) from None


@dataclass
class Repaired:
    """What a repair pass did: the differences it acted on and those it could not fix."""

    applied: list[Difference] = field(default_factory=list)
    failed: list[tuple[Difference, str]] = field(default_factory=list)


class Verifier:
    """Compares the control side with every region side, and repairs what differs."""

    def __init__(
        self,
        control: ControlSide,
        regions: Mapping[str, RegionSide],
        *,
        grace_seconds: float,
        clock: Callable[[], datetime],
    ) -> None:
        self._control = control
        self._regions = regions
        self._grace = grace_seconds
        self._clock = clock

    def check(self) -> list[Difference]:
        """The differences as of now. The control silo is read first: whatever a region
        provisions meanwhile is younger than the grace and not yet an orphan."""
        now = self._clock()
        control = _read("control silo's", self._control.snapshot)
        regions = {
            name: _read(f"region {name!r}", side.snapshot) for name, side in self._regions.items()
        }
        return differences(Checked(control, regions, now, self._grace))

    def repair(self, found: Sequence[Difference]) -> Repaired:
        """Repairs each difference that has a repair: re-sent messages go through the region's
        outbox, reservations through the control silo's write functions and outbox."""
        repaired = Repaired()
        organizations: dict[str, list[Difference]] = defaultdict(list)
        members: dict[str, list[Difference]] = defaultdict(list)
        for difference in found:
            if difference.repair is Repair.RESEND_ORGANIZATION and difference.region_name:
                organizations[difference.region_name].append(difference)
            elif difference.repair is Repair.RESEND_MEMBER and difference.region_name:
                members[difference.region_name].append(difference)
            elif difference.repair is Repair.NONE:
                repaired.failed.append((difference, Repair.NONE.value))
            else:
                self._repair_in_control(difference, repaired)
        for region_name, batch in organizations.items():
            self._regions[region_name].resend_organizations(
                sorted({difference.organization_id for difference in batch})
            )
            repaired.applied.extend(batch)
        for region_name, batch in members.items():
            self._regions[region_name].resend_members(
                sorted(
                    {
                        (difference.organization_id, difference.member_id)
                        for difference in batch
                        if difference.member_id is not None
                    }
                )
            )
            repaired.applied.extend(batch)
        return repaired

    def _repair_in_control(self, difference: Difference, repaired: Repaired) -> None:
        try:
            if difference.repair is Repair.RELEASE:
                self._control.release(difference.organization_id)
            elif difference.repair is Repair.RESERVE:
                self._control.reserve(
                    difference.organization_id, difference.slug or "", difference.region_name or ""
                )
            elif difference.repair is Repair.MOVE_RESERVATION:
                self._control.move_reservation(
                    difference.organization_id, difference.slug or "", difference.region_name or ""
                )
        except SiloError as error:
            repaired.failed.append((difference, str(error)))
            return
        repaired.applied.append(difference)

    def settle(
        self,
        repaired: Sequence[Difference],
        *,
        timeout: float,
        interval: float = 0.5,
    ) -> list[Difference]:
        """Checks again until none of ``repaired`` remains (the outboxes delivered) or
        ``timeout`` seconds pass; returns the differences of the last check."""
        keys = {_key(difference) for difference in repaired}
        deadline = time.monotonic() + timeout
        while True:
            found = self.check()
            if not keys & {_key(difference) for difference in found}:
                return found
            if time.monotonic() >= deadline:
                return found
            time.sleep(interval)


def _key(difference: Difference) -> tuple[int, int | None, Repair]:
    return (difference.organization_id, difference.member_id, difference.repair)
