"""End to end: user changes in the control silo reach the regions' caches, across processes,
with regions and the control silo going down."""

from __future__ import annotations

import time
import uuid
from contextlib import ExitStack

import pytest
from sqlalchemy import select

from control_silo.db.models import ControlOutboxRow
from shared.errors import Unavailable
from shared.services.organization.model import Organization
from shared.services.user.model import NewUser, User, UserUpdate
from tests.e2e.conftest import Cluster, wait_until
from tests.e2e.test_regions import rows


def member(cluster: Cluster, region: str) -> tuple[User, Organization]:
    name = f"cached-{uuid.uuid4().hex[:8]}"
    user = cluster.users().create_user(user=NewUser(username=name, email=f"{name}@example.com"))
    organization = cluster.organizations(region).create_organization(
        slug=name, name=name, owner_user_id=user.id
    )
    # The membership must reach the control silo before it knows where to send user changes.
    wait_until(lambda: cluster.users().get_member_region_names(user_id=user.id) == [region])
    return user, organization


def pending_for(cluster: Cluster, user_id: int) -> int:
    query = select(ControlOutboxRow.id).where(ControlOutboxRow.object_identifier == user_id)
    return len(rows(cluster.control_url, query))


def listed_name(cluster: Cluster, region: str, organization_id: int) -> str:
    members = cluster.organizations(region).list_members(organization_id=organization_id)
    assert members[0].user is not None
    return members[0].user.name


def test_after_delivery_a_region_never_serves_the_old_user(cluster: Cluster) -> None:
    user, organization = member(cluster, "us")
    users = cluster.users()
    for round_number in range(15):
        listed_name(cluster, "us", organization.id)  # keep the user cached in the region
        users.update_user(user_id=user.id, update=UserUpdate(name=f"name-{round_number}"))
        wait_until(lambda: pending_for(cluster, user.id) == 0)
        assert listed_name(cluster, "us", organization.id) == f"name-{round_number}"


def test_a_region_that_was_down_gets_every_change(cluster: Cluster) -> None:
    in_de, de_org = member(cluster, "de")
    in_us, us_org = member(cluster, "us")
    users = cluster.users()
    listed_name(cluster, "de", de_org.id)
    assert cluster.regions["de"].terminate() == 0
    for round_number in range(3):
        users.update_user(user_id=in_de.id, update=UserUpdate(name=f"de-{round_number}"))
        users.update_user(user_id=in_us.id, update=UserUpdate(name=f"us-{round_number}"))
    # The other region is not held up by the one that is down.
    wait_until(lambda: listed_name(cluster, "us", us_org.id) == "us-2")
    assert pending_for(cluster, in_de.id) >= 1
    with ExitStack() as restarted:
        cluster.start_region("de", restarted)
        wait_until(lambda: pending_for(cluster, in_de.id) == 0, timeout=90)
        assert listed_name(cluster, "de", de_org.id) == "de-2"
        cluster.stack.push(restarted.pop_all())


def test_with_the_control_silo_down_hits_work_and_misses_fail_fast(cluster: Cluster) -> None:
    cached, cached_org = member(cluster, "us")
    uncached, uncached_org = member(cluster, "us")
    listed_name(cluster, "us", cached_org.id)
    assert cluster.control is not None
    assert cluster.control.terminate() == 0
    try:
        assert listed_name(cluster, "us", cached_org.id) == ""
        started = time.monotonic()
        with pytest.raises(Unavailable):
            cluster.organizations("us").list_members(organization_id=uncached_org.id)
        assert time.monotonic() - started < 5.0  # within the region's deadline to control
    finally:
        with ExitStack() as restarted:
            cluster.start_control(restarted)
            cluster.stack.push(restarted.pop_all())
    # Once the control silo is back, the region reconnects (within its 2 s reconnect backoff).
    wait_until(lambda: _lists(cluster, uncached_org.id), timeout=10)
    assert listed_name(cluster, "us", uncached_org.id) == ""
    assert uncached.id != cached.id


def _lists(cluster: Cluster, organization_id: int) -> bool:
    try:
        listed_name(cluster, "us", organization_id)
    except Unavailable:
        return False
    return True
