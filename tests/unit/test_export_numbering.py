"""How an export of several regions numbers region rows and rewrites the keys into them."""

from __future__ import annotations

from shared.relocation.export_run import FilePks


def test_region_rows_are_numbered_anew_region_after_region() -> None:
    pks = FilePks(renumber=True)

    given = [
        pks.give("sentry.project", region, row_id)
        for region, row_id in [("de", 3), ("de", 7), ("us", 3)]
    ]

    assert given == [1, 2, 3]
    assert pks.key("sentry.project", "de", 7) == 2
    assert pks.key("sentry.project", "us", 3) == 3


def test_a_key_from_the_control_silo_with_a_region_is_exact() -> None:
    pks = FilePks(renumber=True)
    pks.give("sentry.project", "de", 3)
    pks.give("sentry.project", "us", 3)

    assert pks.key("sentry.project", "us", 3) == 2
    assert pks.ambiguous == 0


def test_a_key_from_the_control_silo_without_a_region_is_counted_when_ambiguous() -> None:
    pks = FilePks(renumber=True)
    pks.give("sentry.project", "de", 3)
    pks.give("sentry.project", "us", 3)
    pks.give("sentry.project", "us", 4)

    assert pks.key("sentry.project", None, 3) == 1  # the first region's, counted
    assert pks.key("sentry.project", None, 4) == 3  # only us holds it
    assert pks.key("sentry.project", None, 9) == 9  # not exported: kept
    assert pks.ambiguous == 1


def test_organizations_and_control_rows_keep_their_ids() -> None:
    pks = FilePks(renumber=True)

    assert not pks.local("sentry.organization")
    assert not pks.local("sentry.user")
    assert pks.local("sentry.team")
    assert not FilePks(renumber=False).local("sentry.team")
