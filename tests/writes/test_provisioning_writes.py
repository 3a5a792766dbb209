"""Provisioning many organizations in one control unit of work: all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from control_silo.bootstrap import ControlSilo
from control_silo.db.models import (
    ControlOutboxRow,
    OrganizationMappingRow,
    OrganizationSlugReservationRow,
)
from control_silo.passwords import make_unusable_password
from control_silo.writes.provisioning import Provision, provision_organizations
from control_silo.writes.users import UserValues, create_user
from shared.errors import AlreadyExists
from shared.outbox.categories import OutboxCategory
from tests.writes.conftest import Counts, NewUnitOfWork


@pytest.fixture
def owner(control_uow: NewUnitOfWork) -> int:
    with control_uow() as uow:
        row = create_user(uow, UserValues(username="owner", password=make_unusable_password()))
        uow.commit()
    return row.id


def provisioned(control_uow: NewUnitOfWork, region: str, provisions: list[Provision]) -> list[int]:
    """Provisions the organizations in one unit of work and commits it; their ids."""
    with control_uow() as uow:
        ids = provision_organizations(uow, region, provisions)
        uow.commit()
    return ids


def test_provisions_many_organizations_together(
    control_uow: NewUnitOfWork, control_silo: ControlSilo, owner: int
) -> None:
    ids = provisioned(
        control_uow, "us", [Provision("one", "One", owner), Provision("two", "Two", owner)]
    )
    assert len(set(ids)) == 2
    with control_silo.sessions() as session:
        reservations = session.scalars(
            select(OrganizationSlugReservationRow).order_by(OrganizationSlugReservationRow.slug)
        ).all()
        mappings = session.scalars(
            select(OrganizationMappingRow).order_by(OrganizationMappingRow.slug)
        ).all()
        messages = session.scalars(select(ControlOutboxRow).order_by(ControlOutboxRow.id)).all()
    assert [(r.slug, r.organization_id, r.user_id) for r in reservations] == [
        ("one", ids[0], owner),
        ("two", ids[1], owner),
    ]
    assert [(m.organization_id, m.name, m.verified) for m in mappings] == [
        (ids[0], "One", False),
        (ids[1], "Two", False),
    ]
    assert [(m.category, m.shard_identifier, m.region_name) for m in messages] == [
        (OutboxCategory.ORGANIZATION_SLUG_RESERVATION_UPDATE, ids[0], "us"),
        (OutboxCategory.ORGANIZATION_SLUG_RESERVATION_UPDATE, ids[1], "us"),
    ]


@pytest.mark.parametrize("third", ["taken", "one"])
def test_a_reserved_third_slug_provisions_nothing(
    control_uow: NewUnitOfWork, control_counts: Counts, owner: int, third: str
) -> None:
    provisioned(control_uow, "de", [Provision("taken", "Taken", owner)])
    before = control_counts()
    with pytest.raises(AlreadyExists) as clash:
        provisioned(
            control_uow,
            "us",
            [
                Provision("one", "One", owner),
                Provision("two", "Two", owner),
                Provision(third, "3", owner),
            ],
        )
    assert (clash.value.field, clash.value.message) == ("slug", f"{third!r} is taken")
    assert control_counts() == before


@pytest.mark.parametrize("before_it", [[], ["east"]])
def test_a_slug_mapped_without_a_reservation_provisions_nothing(
    control_uow: NewUnitOfWork, control_counts: Counts, owner: int, before_it: list[str]
) -> None:
    with control_uow() as uow:
        uow.session.add(
            OrganizationMappingRow(organization_id=999, slug="ghost", name="G", region_name="us")
        )
        uow.commit()
    before = control_counts()
    with pytest.raises(AlreadyExists) as clash:
        provisioned(
            control_uow,
            "us",
            [*(Provision(slug, "S", owner) for slug in before_it), Provision("ghost", "G", owner)],
        )
    assert clash.value.field == "slug"
    assert control_counts() == before
