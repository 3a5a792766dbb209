"""The comparison behind `silo verify`, on snapshots built by hand: each kind of drift is one
difference with the right repair, orphans wait out the grace, and a consistent directory has
none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.verify.compare import differences
from shared.verify.model import (
    Checked,
    ControlSnapshot,
    MappingRecord,
    MemberRecord,
    OrganizationRecord,
    RegionSnapshot,
    Repair,
    ReservationRecord,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
OLD = NOW - timedelta(hours=1)
FRESH = NOW - timedelta(seconds=5)
ACME = OrganizationRecord(id=7, slug="acme", name="Acme", status=0)
OWNER = MemberRecord(id=70, organization_id=7, user_id=1, email=None, role="owner", inviter_id=None)


def mapping_of(
    organization: OrganizationRecord, region: str = "us", **changes: object
) -> MappingRecord:
    values: dict[str, object] = {
        "organization_id": organization.id,
        "slug": organization.slug,
        "name": organization.name,
        "status": organization.status,
        "region_name": region,
        "verified": True,
        "date_created": OLD,
    }
    values.update(changes)
    return MappingRecord(**values)  # type: ignore[arg-type]


def reservation_of(
    organization_id: int, slug: str, region: str = "us", added: datetime = OLD
) -> ReservationRecord:
    return ReservationRecord(organization_id, slug, region, 0, added)


def consistent() -> tuple[ControlSnapshot, dict[str, RegionSnapshot]]:
    control = ControlSnapshot(
        mappings=[mapping_of(ACME)],
        member_mappings=[OWNER],
        reservations=[reservation_of(7, "acme")],
    )
    return control, {"us": RegionSnapshot([ACME], [OWNER]), "de": RegionSnapshot()}


def check(
    control: ControlSnapshot, regions: dict[str, RegionSnapshot], grace: float = 30
) -> list[tuple[int, int | None, str | None, Repair]]:
    return [
        (d.organization_id, d.member_id, d.region_name, d.repair)
        for d in differences(Checked(control, regions, NOW, grace))
    ]


def test_a_consistent_directory_has_no_differences() -> None:
    assert check(*consistent()) == []


def test_an_invitation_mapped_with_an_empty_email_matches() -> None:
    invitation = MemberRecord(71, 7, None, "a@example.com", "member", 1)
    control, regions = consistent()
    control.member_mappings.append(invitation)
    regions["us"].members.append(invitation)
    owner_as_delivered = MemberRecord(70, 7, 1, "", "owner", None)
    control.member_mappings[0] = owner_as_delivered
    assert check(control, regions) == []


def test_each_kind_of_control_drift_has_its_repair() -> None:
    control, regions = consistent()
    control.mappings = [mapping_of(ACME, name="Old")]
    control.member_mappings = []
    control.reservations = [reservation_of(7, "acme-old")]
    assert check(control, regions) == [
        (7, None, "us", Repair.RESEND_ORGANIZATION),
        (7, None, "us", Repair.MOVE_RESERVATION),
        (7, 70, "us", Repair.RESEND_MEMBER),
    ]
    control.mappings = []
    control.reservations = []
    assert check(control, regions) == [
        (7, None, "us", Repair.RESEND_ORGANIZATION),
        (7, None, "us", Repair.RESERVE),
        (7, 70, "us", Repair.RESEND_MEMBER),
    ]


def test_region_drift_is_repaired_from_the_region() -> None:
    control, regions = consistent()
    regions["us"] = RegionSnapshot([ACME], [])
    assert check(control, regions) == [(7, 70, "us", Repair.RESEND_MEMBER)]
    regions["us"] = RegionSnapshot([], [])
    found = differences(Checked(control, regions, NOW, 30))
    assert [(d.repair, d.orphan) for d in found] == [(Repair.RESEND_ORGANIZATION, True)]


def test_orphans_wait_out_the_grace() -> None:
    control = ControlSnapshot(
        mappings=[mapping_of(ACME, verified=False, date_created=FRESH)],
        reservations=[
            reservation_of(7, "acme", added=FRESH),
            reservation_of(8, "lone", added=FRESH),
        ],
    )
    regions = {"us": RegionSnapshot()}
    assert check(control, regions) == []
    assert check(control, regions, grace=0) == [
        (7, None, "us", Repair.RESEND_ORGANIZATION),
        (8, None, "us", Repair.RELEASE),
    ]


def test_a_verified_mapping_without_its_organization_is_an_orphan_at_once() -> None:
    control = ControlSnapshot(mappings=[mapping_of(ACME, date_created=FRESH)])
    assert check(control, {"us": RegionSnapshot()}) == [(7, None, "us", Repair.RESEND_ORGANIZATION)]


def test_what_cannot_be_repaired_is_left_to_an_operator() -> None:
    control, regions = consistent()
    regions["de"] = RegionSnapshot([ACME], [])
    assert check(control, regions) == [(7, None, None, Repair.NONE)]
    control, regions = consistent()
    control.reservations = [reservation_of(7, "acme", region="de")]
    assert check(control, regions) == [(7, None, "us", Repair.NONE)]
    control = ControlSnapshot(mappings=[mapping_of(ACME, region="eu")])
    assert check(control, {"us": RegionSnapshot()}) == [(7, None, "eu", Repair.NONE)]
