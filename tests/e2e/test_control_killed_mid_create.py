"""The control silo killed with SIGKILL while both regions create organizations, then restarted:
no organization the client was told about is lost, none is held twice, and once the outboxes have
delivered every organization has exactly one mapping, one reservation of its slug and its
owner's member mapping. Provisionings the kill cut off leave only unverified mappings that
`silo verify --release-orphans` releases (the reconciliation would, five minutes later)."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from control_silo.db.models import (
    OrganizationMappingRow,
    OrganizationMemberMappingRow,
    OrganizationSlugReservationRow,
)
from region_silo.db.models import OrganizationMemberRow, OrganizationRow, RegionOutboxRow
from shared.db.engine import make_engine
from shared.errors import SiloError
from shared.services.user.model import NewUser
from tests.e2e.conftest import REGIONS, Cluster, wait_until
from tests.integration.processes import run_silo

THREADS_PER_REGION = 3


def rows(url: str, query: Any) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(query).all())
    finally:
        engine.dispose()


def count(url: str, query: Any) -> int:
    return int(rows(url, query)[0][0])


@dataclass
class Creations:
    """What the clients were told, by slug."""

    created: dict[str, tuple[str, int]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    created_after_restart: int = 0
    restarted: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


def create_until_stopped(
    cluster: Cluster, region: str, owner_id: int, worker: int, creations: Creations
) -> None:
    organizations = cluster.organizations(region)
    number = 0
    while not creations.stop.is_set():
        number += 1
        slug = f"kill-{region}-{worker}-{number}-{uuid.uuid4().hex[:6]}"
        try:
            organization = organizations.create_organization(
                slug=slug, name=slug, owner_user_id=owner_id
            )
        except SiloError as error:
            with creations.lock:
                creations.refused[slug] = type(error).__name__
            time.sleep(0.01)
            continue
        with creations.lock:
            creations.created[slug] = (region, organization.id)
            if creations.restarted.is_set():
                creations.created_after_restart += 1


def verify(cluster: Cluster, *flags: str) -> subprocess.CompletedProcess[str]:
    regions = [
        argument
        for name, url in sorted(cluster.region_urls.items())
        for argument in ("--region-database", f"{name}={url}")
    ]
    return run_silo("verify", "--database-url", cluster.control_url, *regions, *flags)


def test_control_killed_while_regions_create_organizations(cluster: Cluster) -> None:
    owner = cluster.users().create_user(
        user=NewUser(username="kill-owner", email="kill-owner@example.com")
    )
    creations = Creations()
    workers = [
        threading.Thread(
            target=create_until_stopped, args=(cluster, region, owner.id, worker, creations)
        )
        for region in REGIONS
        for worker in range(THREADS_PER_REGION)
    ]
    for worker in workers:
        worker.start()
    try:
        wait_until(
            lambda: count(cluster.control_url, select(func.count(OrganizationMappingRow.id))) >= 20
        )
        assert cluster.control is not None
        cluster.control.process.kill()
        cluster.control.process.wait(timeout=10)
        created_before_kill = len(creations.created)
        refused_before_kill = len(creations.refused)
        # The regions keep trying against the dead control silo until they have been refused.
        wait_until(lambda: len(creations.refused) > refused_before_kill, 60)
        with ExitStack() as restarted:
            cluster.start_control(restarted)
            creations.restarted.set()
            wait_until(lambda: creations.created_after_restart >= 10, 60)
            creations.stop.set()
            for worker in workers:
                worker.join(30)
            cluster.stack.push(restarted.pop_all())
    finally:
        creations.stop.set()
        for worker in workers:
            worker.join(30)

    held: dict[str, list[tuple[str, int]]] = {}
    for region, url in cluster.region_urls.items():
        for organization_id, slug in rows(url, select(OrganizationRow.id, OrganizationRow.slug)):
            held.setdefault(slug, []).append((region, organization_id))
    # Nothing lost, nothing twice: every organization a client was told of is in its region.
    for slug, (region, organization_id) in creations.created.items():
        assert held.get(slug) == [(region, organization_id)], slug
    ids = [organization_id for places in held.values() for _, organization_id in places]
    assert len(ids) == len(set(ids)), "an organization id is held twice"
    assert all(len(places) == 1 for places in held.values())
    assert created_before_kill >= 10

    # The regions' outboxes deliver everything queued while the control silo was down.
    wait_until(
        lambda: all(
            not rows(url, select(RegionOutboxRow.id)) for url in cluster.region_urls.values()
        ),
        60,
    )
    expected = sorted(
        (organization_id, slug, region)
        for slug, places in held.items()
        for region, organization_id in places
    )
    mapped = rows(
        cluster.control_url,
        select(
            OrganizationMappingRow.organization_id,
            OrganizationMappingRow.slug,
            OrganizationMappingRow.region_name,
            OrganizationMappingRow.verified,
        ).order_by(OrganizationMappingRow.organization_id),
    )
    # Every organization is mapped and verified; anything else is a provisioning the kill cut
    # off before the region wrote its half: unverified, never an organization of any region.
    assert [(m.organization_id, m.slug, m.region_name) for m in mapped if m.verified] == expected
    cut_off = [m for m in mapped if not m.verified]
    assert not {m.slug for m in cut_off} & set(held)

    report = verify(cluster, "--grace", "0")
    assert report.returncode == (1 if cut_off else 0), report.stdout + report.stderr
    released = verify(cluster, "--release-orphans", "--grace", "0")
    assert released.returncode == 0, released.stdout + released.stderr

    reserved = rows(
        cluster.control_url,
        select(
            OrganizationSlugReservationRow.organization_id,
            OrganizationSlugReservationRow.slug,
            OrganizationSlugReservationRow.region_name,
        ).order_by(OrganizationSlugReservationRow.organization_id),
    )
    assert [tuple(r) for r in reserved] == expected
    remapped = rows(
        cluster.control_url,
        select(OrganizationMappingRow.organization_id).order_by(
            OrganizationMappingRow.organization_id
        ),
    )
    assert [r.organization_id for r in remapped] == [e[0] for e in expected]
    members: list[tuple[int, int]] = []
    for url in cluster.region_urls.values():
        members += [
            (r.organization_id, r.id)
            for r in rows(
                url, select(OrganizationMemberRow.organization_id, OrganizationMemberRow.id)
            )
        ]
    member_mapped = rows(
        cluster.control_url,
        select(
            OrganizationMemberMappingRow.organization_id,
            OrganizationMemberMappingRow.organizationmember_id,
        ),
    )
    assert sorted(tuple(r) for r in member_mapped) == sorted(members)
    assert len(members) == len(expected)  # each organization has its owner, mapped once
    print(
        f"created {len(creations.created)} ({created_before_kill} before the kill), "
        f"refused {len(creations.refused)}, cut-off provisionings released {len(cut_off)}"
    )
