"""Renames racing each other and region restarts: the region's slug, the control silo's primary
reservation and its mapping end the same, with nothing left in flight."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import (
    ControlOutboxRow,
    OrganizationMappingRow,
    OrganizationSlugReservationRow,
)
from control_silo.db.models.organization import PRIMARY_RESERVATION, TEMPORARY_RENAME_ALIAS
from region_silo.bootstrap import RegionSilo, build_region_silo
from region_silo.db.models import OrganizationRow, RegionOutboxRow
from region_silo.migrations import REGION_MIGRATIONS
from shared.config import Settings
from shared.db.types import utcnow
from shared.errors import AlreadyExists, FailedPrecondition, SiloError, Unavailable
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer
from shared.services.organization.service import OrganizationService
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.registry import remote
from shared.silo_mode import SiloMode
from tests.conftest import TEST_SECRET
from tests.databases import scratch_database

ROUNDS = 100
RESTART_EVERY = 3
RACE_REGION = "eu"


@pytest.fixture
def race_region(
    tmp_path_factory: pytest.TempPathFactory,
    control_silo: ControlSilo,
    control_server: RunningServer,
) -> Iterator[RegionSilo]:
    """A region of its own (its server restarted by the test), known to the control silo."""
    with scratch_database(tmp_path_factory.mktemp("race-region"), "race") as url:
        REGION_MIGRATIONS.upgrade(url)
        region = build_region_silo(
            Settings(
                mode=SiloMode.REGION,
                region_name=RACE_REGION,
                database_url=url,
                control_address=f"127.0.0.1:{control_server.port}",
                rpc_shared_secrets=(TEST_SECRET,),
            )
        )
        try:
            yield region
        finally:
            control_silo.regions.discard(RACE_REGION)
            region.close()


def _make_due(
    silo: ControlSilo | RegionSilo, model: type[ControlOutboxRow | RegionOutboxRow]
) -> int:
    """Makes every outbox row due now (as if its backoff had passed); returns how many remain."""
    with silo.sessions.begin() as session:
        session.execute(update(model).values(scheduled_for=utcnow() - timedelta(seconds=1)))
        return session.scalar(select(func.count()).select_from(model)) or 0


def _in_flight(control: ControlSilo) -> int:
    with control.sessions() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(OrganizationSlugReservationRow)
                .where(OrganizationSlugReservationRow.reservation_type == TEMPORARY_RENAME_ALIAS)
            )
            or 0
        )


def _settle(control: ControlSilo, region: RegionSilo) -> None:
    """Delivers both outboxes (every backoff skipped) until they are empty and no rename is in
    flight, twice in a row: a call the restarted server cut off may still be running in the old
    server's thread, as it would in a process that has not died yet."""
    quiet = 0
    for _ in range(400):
        backlog = _make_due(control, ControlOutboxRow) + _make_due(region, RegionOutboxRow)
        if backlog == 0 and _in_flight(control) == 0:
            quiet += 1
            if quiet == 2:
                return
        else:
            quiet = 0
        control.drainer.drain_due()
        region.drainer.drain_due()
        threading.Event().wait(0.05)
    raise AssertionError("the outboxes did not drain")


def _state(control: ControlSilo, region: RegionSilo, organization_id: int) -> tuple[object, ...]:
    with region.sessions() as session:
        region_slug = session.get(OrganizationRow, organization_id).slug  # type: ignore[union-attr]
    with control.sessions() as session:
        reservations = sorted(
            session.execute(
                select(
                    OrganizationSlugReservationRow.reservation_type,
                    OrganizationSlugReservationRow.slug,
                ).where(OrganizationSlugReservationRow.organization_id == organization_id)
            ).all()
        )
        mapping_slug = session.scalars(
            select(OrganizationMappingRow.slug).where(
                OrganizationMappingRow.organization_id == organization_id
            )
        ).one()
    return region_slug, [tuple(row) for row in reservations], mapping_slug


def _restart(region: RegionSilo, running: list[RunningServer], port: int, delay: float) -> None:
    threading.Event().wait(delay)
    running[0].stop(0)
    running[0] = region.start_server(f"127.0.0.1:{port}")


def test_racing_renames_and_region_restarts_end_in_agreement(
    control_silo: ControlSilo, race_region: RegionSilo, make_control_user: Callable[..., object]
) -> None:
    running = [race_region.start_server("127.0.0.1:0")]
    port = running[0].port
    control_silo.regions.add(RACE_REGION, f"127.0.0.1:{port}")
    region_silo = race_region
    owner = make_control_user("owner")
    organization = region_silo.services.get(OrganizationService).create_organization(
        slug="race-a",
        name="Race",
        owner_user_id=owner.id,  # type: ignore[attr-defined]
    )
    _settle(control_silo, region_silo)
    channel = open_channel(f"127.0.0.1:{port}", secret=TEST_SECRET, timeout=5.0)
    organizations = remote(OrganizationService, channel)
    rng = random.Random(11)  # noqa: S311 -- restart delays, not secrets
    outcomes: dict[str, int] = {}
    lock = threading.Lock()

    def rename(slug: str) -> None:
        try:
            organizations.update_organization_slug(organization_id=organization.id, slug=slug)
            name = "renamed"
        except SiloError as error:
            name = type(error).__name__
        with lock:
            outcomes[name] = outcomes.get(name, 0) + 1

    try:
        for round_number in range(ROUNDS):
            threads = [
                threading.Thread(target=rename, args=(f"b{round_number}-x",)),
                threading.Thread(target=rename, args=(f"c{round_number}-x",)),
            ]
            if round_number % RESTART_EVERY == 0:
                delay = rng.uniform(0.0, 0.02)
                threads.append(
                    threading.Thread(target=_restart, args=(region_silo, running, port, delay))
                )
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            _settle(control_silo, region_silo)
            region_slug, reservations, mapping_slug = _state(
                control_silo, region_silo, organization.id
            )
            assert reservations == [(0, region_slug)], (round_number, region_slug, reservations)
            assert mapping_slug == region_slug, (round_number, region_slug, mapping_slug)
    finally:
        channel.close()
        running[0].stop(0)
    # Most rounds rename; the rest are refused while the other rename is in flight or cut off by
    # the restart.
    assert outcomes.get("renamed", 0) >= ROUNDS // 2, outcomes


def test_a_rename_the_region_missed_is_finished_by_the_outbox_and_blocks_others(
    control_silo: ControlSilo, race_region: RegionSilo, make_control_user: Callable[..., object]
) -> None:
    server = race_region.start_server("127.0.0.1:0")
    port = server.port
    control_silo.regions.add(RACE_REGION, f"127.0.0.1:{port}")
    owner = make_control_user("owner")
    organization = race_region.services.get(OrganizationService).create_organization(
        slug="before",
        name="B",
        owner_user_id=owner.id,  # type: ignore[attr-defined]
    )
    provisioning = control_silo.services.get(OrganizationProvisioningService)
    server.stop(0)
    with pytest.raises(Unavailable):
        provisioning.update_organization_slug(
            organization_id=organization.id, slug="after", region_name=RACE_REGION
        )
    with pytest.raises(FailedPrecondition) as refused:
        provisioning.update_organization_slug(
            organization_id=organization.id, slug="other", region_name=RACE_REGION
        )
    assert refused.value.field == "organization_id"
    assert _state(control_silo, race_region, organization.id) == (
        "before",
        [(PRIMARY_RESERVATION, "before"), (TEMPORARY_RENAME_ALIAS, "after")],
        "before",
    )
    server = race_region.start_server(f"127.0.0.1:{port}")
    try:
        _settle(control_silo, race_region)
        assert _state(control_silo, race_region, organization.id) == (
            "after",
            [(PRIMARY_RESERVATION, "after")],
            "after",
        )
        renamed = provisioning.update_organization_slug(
            organization_id=organization.id, slug="other", region_name=RACE_REGION
        )
        assert (renamed.previous_slug, renamed.slug) == ("after", "other")
    finally:
        server.stop(0)


def test_a_rename_without_require_exact_takes_a_free_slug(
    control_silo: ControlSilo, race_region: RegionSilo, make_control_user: Callable[..., object]
) -> None:
    server = race_region.start_server("127.0.0.1:0")
    control_silo.regions.add(RACE_REGION, f"127.0.0.1:{server.port}")
    try:
        owner = make_control_user("owner")
        organizations = race_region.services.get(OrganizationService)
        first = organizations.create_organization(slug="taken", name="T", owner_user_id=owner.id)  # type: ignore[attr-defined]
        second = organizations.create_organization(slug="mine", name="M", owner_user_id=owner.id)  # type: ignore[attr-defined]
        provisioning = control_silo.services.get(OrganizationProvisioningService)
        with pytest.raises(AlreadyExists):
            provisioning.update_organization_slug(
                organization_id=second.id, slug="taken", region_name=RACE_REGION
            )
        renamed = provisioning.update_organization_slug(
            organization_id=second.id, slug="taken", region_name=RACE_REGION, require_exact=False
        )
        assert renamed.previous_slug == "mine"
        assert renamed.slug.startswith("taken-") and renamed.slug != "taken"
        _settle(control_silo, race_region)
        assert _state(control_silo, race_region, second.id) == (
            renamed.slug,
            [(PRIMARY_RESERVATION, renamed.slug)],
            renamed.slug,
        )
        assert _state(control_silo, race_region, first.id)[0] == "taken"
    finally:
        server.stop(0)


def test_a_slug_the_region_refuses_leaves_everything_as_it_was(
    control_silo: ControlSilo, race_region: RegionSilo, make_control_user: Callable[..., object]
) -> None:
    server = race_region.start_server("127.0.0.1:0")
    control_silo.regions.add(RACE_REGION, f"127.0.0.1:{server.port}")
    try:
        owner = make_control_user("owner")
        organizations = race_region.services.get(OrganizationService)
        organization = organizations.create_organization(
            slug="one",
            name="One",
            owner_user_id=owner.id,  # type: ignore[attr-defined]
        )
        # A row the control silo knows nothing of holds the slug in the region.
        with race_region.sessions.begin() as session:
            session.add(OrganizationRow(id=900_002, slug="ghost-slug", name="Ghost"))
        with pytest.raises(FailedPrecondition) as refused:
            organizations.update_organization_slug(
                organization_id=organization.id, slug="ghost-slug"
            )
        assert refused.value.field == "slug"
        _settle(control_silo, race_region)
        assert _state(control_silo, race_region, organization.id) == (
            "one",
            [(PRIMARY_RESERVATION, "one")],
            "one",
        )
    finally:
        server.stop(0)
