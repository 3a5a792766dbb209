"""Prometheus metrics of the running silos."""

from __future__ import annotations

import re
import uuid

from shared.services.user.model import NewUser, UserUpdate
from tests.e2e.conftest import Cluster, wait_until


def value(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"^{re.escape(name)}(?:\{{(.*)\}})? (\S+)$", line)
        if not match:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
        if all(found.get(key) == wanted for key, wanted in labels.items()):
            total += float(match.group(2))
    return total


def test_rpc_cache_and_outbox_metrics(cluster: Cluster) -> None:
    name = f"metric-{uuid.uuid4().hex[:8]}"
    users = cluster.users()
    user = users.create_user(user=NewUser(username=name, email=f"{name}@example.com"))
    us = cluster.organizations("us")
    organization = us.create_organization(slug=name, name=name, owner_user_id=user.id)
    us.list_members(organization_id=organization.id)
    us.list_members(organization_id=organization.id)

    region = cluster.regions["us"].metrics()
    assert value(region, "silo_region_cache_hits_total") >= 1
    assert value(region, "silo_region_cache_misses_total") >= 1
    assert (
        value(
            region,
            "silo_rpc_duration_seconds_count",
            method="/silo.organization.v1.OrganizationService/ListMembers",
            code="OK",
        )
        >= 2
    )
    wait_until(
        lambda: (
            value(
                cluster.regions["us"].metrics(),
                "silo_outbox_delivery_lag_seconds_count",
                category="ORGANIZATION_UPDATE",
            )
            >= 1
        )
    )
    assert "silo_outbox_backlog_rows" in region

    wait_until(lambda: users.get_member_region_names(user_id=user.id) == ["us"])
    users.update_user(user_id=user.id, update=UserUpdate(name="measured"))
    assert cluster.control is not None
    wait_until(
        lambda: (
            value(
                cluster.control.metrics(),  # type: ignore[union-attr]
                "silo_outbox_delivery_lag_seconds_count",
                category="USER_UPDATE",
            )
            >= 1
        )
    )
    control = cluster.control.metrics()
    assert (
        value(
            control,
            "silo_rpc_duration_seconds_count",
            method="/silo.user.v1.UserService/CreateUser",
            code="OK",
        )
        >= 1
    )


def test_the_call_pool_is_exported(cluster: Cluster) -> None:
    cluster.users().get_many_by_id(user_ids=[1])
    assert cluster.control is not None
    control = cluster.control.metrics()
    # The call scraping runs on no pool thread; the GetManyByID one ran and went idle.
    threads = value(control, "silo_rpc_threads", state="busy") + value(
        control, "silo_rpc_threads", state="idle"
    )
    assert threads >= 1
    assert "silo_rpc_queued_calls " in control
