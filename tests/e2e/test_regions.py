"""End to end: control and two regions as separate processes."""

from __future__ import annotations

import signal
import threading
import uuid
from contextlib import ExitStack

import pytest
from sqlalchemy import select

from control_silo.db.models import (
    ControlOutboxRow,
    OrganizationMemberMappingRow,
    OrganizationSlugReservationRow,
)
from region_silo.db.models import OrganizationMemberRow, OrganizationRow, RegionOutboxRow
from shared.db.engine import make_engine
from shared.errors import AlreadyExists, InvalidArgument, NotFound, SiloError
from shared.generated.silo.organization.v1 import organization_pb2, organization_pb2_grpc
from shared.rpc.channel import call, open_channel
from shared.services.organization.model import MemberRole
from shared.services.user.model import NewUser, User
from tests.e2e.conftest import SECRET, Cluster, wait_until


def new_user(cluster: Cluster, prefix: str = "user") -> User:
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    return cluster.users().create_user(user=NewUser(username=name, email=f"{name}@example.com"))


def rows(url: str, query: object) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(query).all())  # type: ignore[call-overload]
    finally:
        engine.dispose()


def test_a_slug_is_unique_across_regions_under_concurrent_creates(cluster: Cluster) -> None:
    owner = new_user(cluster, "racer")
    slugs = [f"race-{uuid.uuid4().hex[:6]}-{i}" for i in range(8)]
    outcomes: dict[tuple[str, str], object] = {}
    barrier = threading.Barrier(2 * len(slugs))

    def create(region: str, slug: str) -> None:
        client = cluster.organizations(region)
        barrier.wait()
        try:
            outcomes[(region, slug)] = client.create_organization(
                slug=slug, name=slug, owner_user_id=owner.id
            )
        except SiloError as error:
            outcomes[(region, slug)] = error

    threads = [
        threading.Thread(target=create, args=(region, slug))
        for slug in slugs
        for region in ("us", "de")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for slug in slugs:
        results = {region: outcomes[(region, slug)] for region in ("us", "de")}
        winners = [r for r, outcome in results.items() if not isinstance(outcome, SiloError)]
        losers = [r for r, outcome in results.items() if isinstance(outcome, AlreadyExists)]
        assert len(winners) == 1 and len(losers) == 1, results
        reservations = rows(
            cluster.control_url,
            select(OrganizationSlugReservationRow.region_name).where(
                OrganizationSlugReservationRow.slug == slug
            ),
        )
        assert [r[0] for r in reservations] == winners  # type: ignore[index]
        for region in ("us", "de"):
            found = rows(
                cluster.region_urls[region],
                select(OrganizationRow.id).where(OrganizationRow.slug == slug),
            )
            assert len(found) == (1 if region in winners else 0)


def test_control_lists_a_users_organizations_across_regions(cluster: Cluster) -> None:
    owner = new_user(cluster, "owner")
    member = new_user(cluster, "member")
    in_us = cluster.organizations("us").create_organization(
        slug=f"us-{uuid.uuid4().hex[:8]}", name="In US", owner_user_id=owner.id
    )
    in_de = cluster.organizations("de").create_organization(
        slug=f"de-{uuid.uuid4().hex[:8]}", name="In DE", owner_user_id=owner.id
    )
    cluster.organizations("de").add_organization_member(
        organization_id=in_de.id, user_id=member.id, role=MemberRole.ADMIN
    )
    users = cluster.users()

    def listed(user_id: int) -> set[tuple[int, str]]:
        return {
            (o.organization_id, o.region_name) for o in users.get_organizations(user_id=user_id)
        }

    wait_until(lambda: listed(owner.id) == {(in_us.id, "us"), (in_de.id, "de")})
    wait_until(lambda: listed(member.id) == {(in_de.id, "de")})
    assert users.get_member_region_names(user_id=owner.id) == ["de", "us"]
    assert users.get_member_region_names(user_id=member.id) == ["de"]
    assert in_us.id != in_de.id


def test_changes_queued_while_control_is_down_all_arrive_once(cluster: Cluster) -> None:
    owner = new_user(cluster, "queue")
    de = cluster.organizations("de")
    organization = de.create_organization(
        slug=f"queue-{uuid.uuid4().hex[:8]}", name="Queue", owner_user_id=owner.id
    )
    wait_until(lambda: not rows(cluster.region_urls["de"], select(RegionOutboxRow.id)))

    assert cluster.control is not None
    assert cluster.control.terminate() == 0
    invites = [
        de.add_organization_member(
            organization_id=organization.id, email=f"invite{i}@example.com", role=MemberRole.MEMBER
        )
        for i in range(5)
    ]
    de.delete_organization_member(organization_id=organization.id, member_id=invites[0].id)
    wait_until(lambda: len(rows(cluster.region_urls["de"], select(RegionOutboxRow.id))) >= 5)

    # The region crashes with its queue undelivered, then comes back after the control silo.
    cluster.regions["de"].process.send_signal(signal.SIGKILL)
    cluster.regions["de"].process.wait(timeout=10)
    with ExitStack() as restarted:
        cluster.start_control(restarted)
        cluster.start_region("de", restarted)
        wait_until(lambda: not rows(cluster.region_urls["de"], select(RegionOutboxRow.id)), 30)
        region_members = {
            r[0]  # type: ignore[index]
            for r in rows(
                cluster.region_urls["de"],
                select(OrganizationMemberRow.id).where(
                    OrganizationMemberRow.organization_id == organization.id
                ),
            )
        }
        mapped = [
            r[0]  # type: ignore[index]
            for r in rows(
                cluster.control_url,
                select(OrganizationMemberMappingRow.organizationmember_id).where(
                    OrganizationMemberMappingRow.organization_id == organization.id
                ),
            )
        ]
        assert sorted(mapped) == sorted(region_members)
        assert len(region_members) == 5  # the owner and four remaining invitations
        # The rest of the module keeps using the restarted processes.
        cluster.stack.push(restarted.pop_all())


def test_bad_input_is_rejected_on_both_sides(cluster: Cluster) -> None:
    owner = new_user(cluster, "strict")
    us = cluster.organizations("us")
    organization = us.create_organization(
        slug=f"strict-{uuid.uuid4().hex[:8]}", name="Strict", owner_user_id=owner.id
    )
    # Both outboxes delivered (the mappings to control, the slug replica to the region), so
    # that nothing the creation set off lands during the refused calls.
    wait_until(
        lambda: (
            not rows(cluster.region_urls["us"], select(RegionOutboxRow.id))
            and not rows(cluster.control_url, select(ControlOutboxRow.id))
        )
    )
    before = cluster.counts()
    with pytest.raises(InvalidArgument) as bad_slug:
        us.create_organization(slug="Not A Slug", name="x", owner_user_id=owner.id)
    assert bad_slug.value.field == "slug"
    with pytest.raises(InvalidArgument):
        us.create_organization(slug="api", name="x", owner_user_id=owner.id)
    with pytest.raises(NotFound) as unknown_owner:
        us.create_organization(slug="orphan-org", name="x", owner_user_id=99_999_999)
    assert unknown_owner.value.field == "owner_user_id"
    with pytest.raises(NotFound) as unknown_user:
        us.add_organization_member(
            organization_id=organization.id, user_id=99_999_999, role=MemberRole.MEMBER
        )
    assert unknown_user.value.field == "user_id"
    with pytest.raises(AlreadyExists) as duplicate:
        us.add_organization_member(
            organization_id=organization.id, user_id=owner.id, role=MemberRole.MEMBER
        )
    assert duplicate.value.field == "user_id"
    with pytest.raises(InvalidArgument) as bad_role:
        add_member_with_raw_role(cluster, organization.id, "superhero")
    assert bad_role.value.field == "role"
    assert cluster.counts() == before


def add_member_with_raw_role(cluster: Cluster, organization_id: int, role: str) -> None:
    """AddOrganizationMember as an outside client sends it, with any role text."""
    stub = organization_pb2_grpc.OrganizationServiceStub(
        open_channel(cluster.region_addresses["us"], secret=SECRET)
    )
    request = organization_pb2.AddOrganizationMemberRequest(
        organization_id=organization_id, email="x@example.com", role=role
    )
    call(stub.AddOrganizationMember, request)
