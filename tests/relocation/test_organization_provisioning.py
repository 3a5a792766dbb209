"""The control silo's half of importing organizations: Sentry's import slugs, made unique against
every region's reservations (also when two imports race for one slug), ids and mappings."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from control_silo.bootstrap import ControlSilo
from control_silo.db.base import ControlBase
from control_silo.db.models import (
    ControlOutboxRow,
    OrganizationIdAllocationRow,
    OrganizationMappingRow,
    OrganizationSlugReservationRow,
)
from control_silo.relocation import organizations
from control_silo.writes.provisioning import Provision, provision_organizations
from shared.db.unit_of_work import UnitOfWork
from shared.outbox.categories import OutboxCategory
from shared.relocation.chunks import ChunkHeader, ChunkResult, ChunkRow, MappingKind
from shared.relocation.findings import FindingKind, RelocationError
from shared.relocation.scopes import ImportScope
from shared.slugs import IMPORTED_SLUG_LENGTH, imported_organization_slug, slugify, unique_slug

MODEL = "sentry.organization"
# Twelve random hex digits; when they happen to be all digits, Sentry suffixes them too.
RANDOM_SLUG = r"[0-9a-f]{12}(-[a-z0-9]{2})?"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("acme", "acme"),
        ("Acme_Corp", "acme-corp"),
        ("--a__b--", "a-b"),
        ("Ünïcödé Öst", "unicode-ost"),
        ("dots.and/slashes!", "dotsandslashes"),
        ("a" * 29 + "-b", "a" * 29),
        ("x" * 40, "x" * 30),
        ("日本", ""),
        ("", ""),
    ],
)
def test_import_slugs_follow_sentry(given: str, expected: str) -> None:
    assert imported_organization_slug(given) == expected


def test_slugify_is_djangos() -> None:
    assert slugify("  Hello,  World -- again_ ") == "hello-world-again"
    assert slugify("_keep_inner_") == "keep_inner"


def test_a_free_slug_is_kept_and_a_taken_one_is_suffixed() -> None:
    asked: list[str] = []

    def taken(slug: str) -> bool:
        asked.append(slug)
        return slug in {"acme", "acme-xx"} or len(slug) == 7

    assert unique_slug("free", taken) == "free"
    suffixed = unique_slug("acme", taken)
    # Two characters first, then three: "acme-" plus two is seven characters, all taken here.
    assert re.fullmatch(r"acme-[a-z0-9]{3}", suffixed)
    assert all(slug == slug.lower() for slug in asked)


def test_suffixes_cut_the_base_to_the_length() -> None:
    base = "b" * IMPORTED_SLUG_LENGTH
    slug = unique_slug(base, lambda slug: slug == base)
    assert len(slug) == IMPORTED_SLUG_LENGTH
    assert re.fullmatch(r"b{27}-[a-z0-9]{2}", slug)


def test_digits_reserved_and_empty_slugs_are_replaced() -> None:
    assert re.fullmatch(r"12345-[a-z0-9]{2}", unique_slug("12345", lambda slug: False))
    reserved = frozenset({"admin"})
    assert re.fullmatch(RANDOM_SLUG, unique_slug("admin", lambda slug: False, reserved=reserved))
    assert re.fullmatch(RANDOM_SLUG, unique_slug("", lambda slug: False))


def test_a_slug_with_every_suffix_taken_is_an_error() -> None:
    with pytest.raises(LookupError):
        unique_slug("acme", lambda slug: True)


Write = Callable[..., ChunkResult]


@pytest.fixture
def write(control_silo: ControlSilo) -> Write:
    """Writes one chunk of organizations in the control silo, as a region asks for it."""

    def write_chunk(
        slugs: Iterable[str], *, region: str = "us", import_uuid: str = "import-1"
    ) -> ChunkResult:
        rows = [
            ChunkRow(pk, {"slug": slug, "name": f"Org {pk}", "region_name": region}, pk)
            for pk, slug in enumerate(slugs, start=1)
        ]
        header = ChunkHeader(import_uuid, ImportScope.ORGANIZATION, MODEL, min_ordinal=1)
        return control_silo.chunk_writer.write(header, rows)

    return write_chunk


def counts(control: ControlSilo) -> dict[str, int]:
    with control.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in ControlBase.metadata.sorted_tables
        }


def rows_of(control: ControlSilo, model: type[Any]) -> list[Any]:
    with control.sessions() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def provision_elsewhere(control: ControlSilo, slug: str, region: str = "de") -> int:
    with UnitOfWork(control.sessions, outbox=control.outbox) as uow:
        [organization_id] = provision_organizations(uow, region, [Provision(slug, slug)])
        uow.commit()
    return organization_id


def test_each_organization_gets_an_id_a_reservation_a_mapping_and_a_message(
    write: Write, control_silo: ControlSilo
) -> None:
    result = write(["acme", "Other_Name"])

    ids = [row.new_id for row in result.rows]
    assert [(row.kind, row.renamed_to) for row in result.rows] == [
        (MappingKind.INSERTED, "acme"),
        (MappingKind.INSERTED, "other-name"),
    ]
    assert [row.id for row in rows_of(control_silo, OrganizationIdAllocationRow)] == ids
    reservations = rows_of(control_silo, OrganizationSlugReservationRow)
    assert [(r.organization_id, r.slug, r.user_id, r.region_name) for r in reservations] == [
        (ids[0], "acme", None, "us"),
        (ids[1], "other-name", None, "us"),
    ]
    mappings = rows_of(control_silo, OrganizationMappingRow)
    assert [(m.organization_id, m.slug, m.name, m.verified) for m in mappings] == [
        (ids[0], "acme", "Org 1", False),
        (ids[1], "other-name", "Org 2", False),
    ]
    messages = rows_of(control_silo, ControlOutboxRow)
    assert [(m.category, m.shard_identifier, m.region_name) for m in messages] == [
        (OutboxCategory.ORGANIZATION_SLUG_RESERVATION_UPDATE, ids[0], "us"),
        (OutboxCategory.ORGANIZATION_SLUG_RESERVATION_UPDATE, ids[1], "us"),
    ]


def test_slugs_held_anywhere_or_twice_get_suffixes(write: Write, control_silo: ControlSilo) -> None:
    provision_elsewhere(control_silo, "taken")
    with UnitOfWork(control_silo.sessions) as uow:
        # A mapping without its reservation (its region renamed it): still not free.
        uow.session.add(
            OrganizationMappingRow(organization_id=999, slug="mapped", name="M", region_name="de")
        )
        uow.commit()

    result = write(["taken", "mapped", "twice", "TWICE", "fine"])

    slugs = [row.renamed_to for row in result.rows]
    assert re.fullmatch(r"taken-[a-z0-9]{2}", slugs[0])
    assert re.fullmatch(r"mapped-[a-z0-9]{2}", slugs[1])
    assert slugs[2] == "twice"
    assert re.fullmatch(r"twice-[a-z0-9]{2}", slugs[3])
    assert slugs[4] == "fine"


def test_a_chunk_written_again_returns_what_it_recorded(
    write: Write, control_silo: ControlSilo
) -> None:
    first = write(["acme", "beta"])
    written = counts(control_silo)

    again = write(["acme", "beta"])

    assert again.replayed and again.rows == first.rows
    assert counts(control_silo) == written


def test_a_chunk_names_one_region(write: Write, control_silo: ControlSilo) -> None:
    rows = [
        ChunkRow(1, {"slug": "a", "name": "A", "region_name": "us"}, 1),
        ChunkRow(2, {"slug": "b", "name": "B", "region_name": "de"}, 2),
    ]
    before = counts(control_silo)

    with pytest.raises(RelocationError) as refused:
        control_silo.chunk_writer.write(
            ChunkHeader("import-1", ImportScope.ORGANIZATION, MODEL, min_ordinal=1), rows
        )

    assert (refused.value.finding.left_pk, refused.value.finding.field) == (2, "region_name")
    assert counts(control_silo) == before


def _blind_lookups(monkeypatch: pytest.MonkeyPatch, blind: int) -> list[int]:
    """The first ``blind`` lookups of held slugs see nothing, as when another region reserved
    the slug after this import looked; returns the calls made."""
    calls: list[int] = []
    held = organizations._held

    def lookup(session: Session, slugs: Iterable[str]) -> set[str]:
        calls.append(1)
        return set() if len(calls) <= blind else held(session, slugs)

    monkeypatch.setattr(organizations, "_held", lookup)
    return calls


def test_a_slug_taken_meanwhile_is_resolved_again(
    write: Write, control_silo: ControlSilo, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = provision_elsewhere(control_silo, "race")
    calls = _blind_lookups(monkeypatch, blind=1)

    result = write(["race", "calm"])

    assert len(calls) > 1
    race, calm = (row.renamed_to for row in result.rows)
    assert re.fullmatch(r"race-[a-z0-9]{2}", race) and calm == "calm"
    reservations = rows_of(control_silo, OrganizationSlugReservationRow)
    assert sorted((r.organization_id, r.slug) for r in reservations) == sorted(
        [(other, "race"), (result.rows[0].new_id, race), (result.rows[1].new_id, "calm")]
    )
    assert len(rows_of(control_silo, OrganizationIdAllocationRow)) == 3
    assert len(rows_of(control_silo, OrganizationMappingRow)) == 3


def test_a_slug_that_stays_taken_writes_nothing(
    write: Write, control_silo: ControlSilo, monkeypatch: pytest.MonkeyPatch
) -> None:
    provision_elsewhere(control_silo, "race")
    before = counts(control_silo)
    _blind_lookups(monkeypatch, blind=10**6)

    with pytest.raises(RelocationError) as refused:
        write(["race"])

    assert refused.value.finding.kind is FindingKind.INTEGRITY_ERROR
    assert "kept being taken" in refused.value.finding.reason
    assert counts(control_silo) == before


def test_two_regions_racing_for_a_slug_end_with_one_owner_each(
    write: Write, control_silo: ControlSilo, monkeypatch: pytest.MonkeyPatch
) -> None:
    racing = control_silo.engine.dialect.name == "postgresql"
    resolutions: list[int] = []
    if racing:
        # Both imports look before either inserts, so one of them loses at the unique index.
        # (SQLite runs one writer at a time: the second looks after the first committed.)
        together = threading.Barrier(2)
        waited: set[int] = set()
        resolve = organizations.resolve_slugs

        def resolve_together(session: Session, wanted: list[str]) -> list[str]:
            slugs = resolve(session, wanted)
            resolutions.append(threading.get_ident())
            if threading.get_ident() not in waited:
                waited.add(threading.get_ident())
                together.wait(timeout=10)
            return slugs

        monkeypatch.setattr(organizations, "resolve_slugs", resolve_together)
    results: dict[str, ChunkResult] = {}
    errors: list[BaseException] = []

    def run(region: str) -> None:
        try:
            results[region] = write(["race"], region=region, import_uuid=f"import-{region}")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(region,)) for region in ("us", "de")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    if racing:
        assert len(resolutions) == 3  # the loser resolved once more
    slugs = sorted(results[region].rows[0].renamed_to for region in ("us", "de"))
    assert slugs[0] == "race" and re.fullmatch(r"race-[a-z0-9]{2}", slugs[1])
    reservations = rows_of(control_silo, OrganizationSlugReservationRow)
    assert sorted((r.region_name, r.organization_id, r.slug) for r in reservations) == sorted(
        (region, results[region].rows[0].new_id, results[region].rows[0].renamed_to)
        for region in ("us", "de")
    )
    assert len(rows_of(control_silo, OrganizationMappingRow)) == 2
    assert len(rows_of(control_silo, OrganizationIdAllocationRow)) == 2
