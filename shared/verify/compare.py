"""Finds the differences between the control silo's directory and the regions' organizations.

The regions own organizations and memberships, so a region's row is the truth a mapping must
match; reservations must hold each organization's slug in its region. Pure: the snapshots in, the
differences out."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from shared.verify.model import (
    Checked,
    Difference,
    MappingRecord,
    MemberRecord,
    OrganizationRecord,
    Repair,
    ReservationRecord,
)

PRIMARY_RESERVATION = 0


def differences(checked: Checked) -> list[Difference]:
    """Every difference, ordered by organization and member id."""
    holders: dict[int, list[tuple[str, OrganizationRecord]]] = defaultdict(list)
    members: dict[tuple[int, int], MemberRecord] = {}
    for region_name, snapshot in checked.regions.items():
        for organization in snapshot.organizations:
            holders[organization.id].append((region_name, organization))
        for member in snapshot.members:
            members[(member.organization_id, member.id)] = member
    mappings = {mapping.organization_id: mapping for mapping in checked.control.mappings}
    reservations: dict[int, list[ReservationRecord]] = defaultdict(list)
    for reservation in checked.control.reservations:
        reservations[reservation.organization_id].append(reservation)
    member_mappings = {
        (mapping.organization_id, mapping.id): mapping
        for mapping in checked.control.member_mappings
    }

    found: list[Difference] = []
    for organization_id, held in holders.items():
        if len(held) > 1:
            regions = ", ".join(sorted(name for name, _ in held))
            found.append(
                Difference(organization_id, None, f"held by regions {regions}", Repair.NONE)
            )
            continue
        region_name, organization = held[0]
        found.extend(
            _organization(
                region_name,
                organization,
                mappings.get(organization_id),
                reservations.get(organization_id, []),
            )
        )
    for organization_id in sorted(
        (set(mappings) | set(reservations) | {key[0] for key in member_mappings}) - set(holders)
    ):
        orphan = _orphan(
            checked, organization_id, mappings.get(organization_id), reservations[organization_id]
        )
        if orphan is not None:
            found.append(orphan)
    for key in sorted(set(members) | set(member_mappings)):
        held = holders.get(key[0], [])
        if len(held) == 1:
            difference = _member(held[0][0], key, members.get(key), member_mappings.get(key))
            if difference is not None:
                found.append(difference)
    return sorted(found, key=lambda found: (found.organization_id, found.member_id or 0))


def _organization(
    region_name: str,
    organization: OrganizationRecord,
    mapping: MappingRecord | None,
    reservations: list[ReservationRecord],
) -> list[Difference]:
    found: list[Difference] = []
    resend = Repair.RESEND_ORGANIZATION
    if mapping is None:
        found.append(Difference(organization.id, region_name, "no mapping", resend))
    else:
        stale = [
            f"{name} {theirs!r} (region: {ours!r})"
            for name, ours, theirs in (
                ("slug", organization.slug, mapping.slug),
                ("name", organization.name, mapping.name),
                ("status", organization.status, mapping.status),
                ("region", region_name, mapping.region_name),
            )
            if ours != theirs
        ]
        if stale:
            found.append(
                Difference(organization.id, region_name, "mapping has " + ", ".join(stale), resend)
            )
    primary = [r for r in reservations if r.reservation_type == PRIMARY_RESERVATION]
    if not primary:
        found.append(
            Difference(
                organization.id,
                region_name,
                f"slug {organization.slug!r} is not reserved",
                Repair.RESERVE,
                slug=organization.slug,
            )
        )
    elif primary[0].region_name != region_name:
        found.append(
            Difference(
                organization.id,
                region_name,
                f"slug reserved for region {primary[0].region_name!r}",
                Repair.NONE,
            )
        )
    elif primary[0].slug != organization.slug:
        found.append(
            Difference(
                organization.id,
                region_name,
                f"reservation holds {primary[0].slug!r}, the organization's slug is "
                f"{organization.slug!r}",
                Repair.MOVE_RESERVATION,
                slug=organization.slug,
            )
        )
    return found


def _age(checked: Checked, since: datetime) -> float:
    return (checked.now - since).total_seconds()


def _orphan(
    checked: Checked,
    organization_id: int,
    mapping: MappingRecord | None,
    reservations: list[ReservationRecord],
) -> Difference | None:
    """A mapping, reservation or member mapping of an organization no region holds; None while
    it may still be in flight (provisioned moments ago, the region's half not yet committed)."""
    if mapping is not None:
        if not mapping.verified and _age(checked, mapping.date_created) < checked.grace_seconds:
            return None
        if mapping.region_name not in checked.regions:
            return Difference(
                organization_id,
                mapping.region_name,
                "mapped to a region that was not checked",
                Repair.NONE,
            )
        return Difference(
            organization_id,
            mapping.region_name,
            f"mapping ({mapping.slug!r}) without an organization",
            Repair.RESEND_ORGANIZATION,
            orphan=True,
        )
    if any(_age(checked, r.date_added) < checked.grace_seconds for r in reservations):
        return None
    unchecked = sorted({r.region_name for r in reservations} - set(checked.regions))
    if unchecked:
        return Difference(
            organization_id,
            unchecked[0],
            "reserved in a region that was not checked",
            Repair.NONE,
        )
    what = (
        "reservation of " + ", ".join(repr(r.slug) for r in reservations)
        if reservations
        else "member mappings"
    )
    return Difference(
        organization_id,
        reservations[0].region_name if reservations else None,
        f"{what} without an organization",
        Repair.RELEASE,
        orphan=True,
    )


def _member(
    region_name: str,
    key: tuple[int, int],
    member: MemberRecord | None,
    mapping: MemberRecord | None,
) -> Difference | None:
    organization_id, member_id = key
    what: str | None = None
    if mapping is None:
        what = "no member mapping"
    elif member is None:
        what = "member mapping without a membership"
    else:
        stale = [
            f"{name} {theirs!r} (region: {ours!r})"
            for name, ours, theirs in (
                ("user_id", member.user_id, mapping.user_id),
                ("email", member.email or None, mapping.email or None),
                ("role", member.role, mapping.role),
                ("inviter_id", member.inviter_id, mapping.inviter_id),
            )
            if ours != theirs
        ]
        if stale:
            what = "member mapping has " + ", ".join(stale)
    if what is None:
        return None
    return Difference(organization_id, region_name, what, Repair.RESEND_MEMBER, member_id=member_id)
