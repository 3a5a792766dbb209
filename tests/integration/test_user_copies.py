"""A region never persists a copy of a user older than the control silo's: a user the region
cached while it had no member of them, changed in the control silo since, is read again when a
membership is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from region_silo.bootstrap import RegionSilo, build_region_silo
from region_silo.db.models import OrganizationMemberRow
from region_silo.migrations import REGION_MIGRATIONS
from shared.config import Settings
from shared.rpc.server import RunningServer
from shared.services.organization.model import MemberRole
from shared.services.organization.service import OrganizationService
from shared.services.user.model import NewUser, UserUpdate
from shared.services.user.service import UserService
from shared.silo_mode import SiloMode
from tests.conftest import TEST_SECRET
from tests.databases import scratch_database


@pytest.fixture
def region(tmp_path: Path, control_server: RunningServer) -> Iterator[RegionSilo]:
    with scratch_database(tmp_path, "user_copies_region") as url:
        REGION_MIGRATIONS.upgrade(url)
        built = build_region_silo(
            Settings(
                mode=SiloMode.REGION,
                region_name="us",
                database_url=url,
                control_address=f"127.0.0.1:{control_server.port}",
                rpc_shared_secrets=(TEST_SECRET,),
                cache_ttl=3600,
            )
        )
        try:
            yield built
        finally:
            built.close()


def test_a_member_row_copies_the_control_silos_current_user(
    control_silo: ControlSilo, region: RegionSilo
) -> None:
    users = control_silo.services.get(UserService)
    owner = users.create_user(user=NewUser(username="copy-owner", email="owner@example.com"))
    joiner = users.create_user(user=NewUser(username="copy-joiner", email="old@example.com"))
    # The region reads (and caches) the user while it holds no member of them.
    assert region.services.get(UserService).get_user(user_id=joiner.id).is_active is True
    users.update_user(
        user_id=joiner.id, update=UserUpdate(is_active=False, email="new@example.com")
    )

    organizations = region.services.get(OrganizationService)
    organization = organizations.create_organization(
        slug="copies", name="Copies", owner_user_id=owner.id
    )
    organizations.add_organization_member(
        organization_id=organization.id, role=MemberRole.MEMBER, user_id=joiner.id
    )
    with region.sessions() as session:
        copy = session.execute(
            select(OrganizationMemberRow.user_is_active, OrganizationMemberRow.user_email).where(
                OrganizationMemberRow.user_id == joiner.id
            )
        ).one()
    assert tuple(copy) == (False, "new@example.com")
