"""What the region's importers share: mapped keys, roles, slugs per organization, single inserts."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Set
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.db.bulk import batches, insert_keyed
from shared.relocation.chunks import ChunkRow, MappedRow, MappingKind
from shared.relocation.fields import RowFields
from shared.relocation.writer import ImportContext
from shared.services.organization.model import MemberRole
from shared.slugs import slugify, unique_slug

_ROLES = tuple(role.value for role in MemberRole)


def member_role(fields: RowFields, field: str) -> str:
    """An organization role (``member`` when absent)."""
    role = fields.text(field, max_length=32, required=False, default=MemberRole.MEMBER.value)
    if role not in _ROLES:
        raise fields.invalid(field, f"{role!r} is not one of the roles {', '.join(_ROLES)}")
    return role


def organizations_of(session: Session, model: Any, ids: Iterable[int]) -> dict[int, int]:
    """The organization id of each row of ``model`` (a team, member or project) by its id."""
    found: dict[int, int] = {}
    for batch in batches(sorted(set(ids))):
        query = select(model.id, model.organization_id).where(model.id.in_(batch))
        found.update(
            (row_id, organization_id) for row_id, organization_id in session.execute(query)
        )
    return found


def _held_slugs(
    session: Session, model: Any, pairs: Iterable[tuple[int, str]]
) -> set[tuple[int, str]]:
    held: set[tuple[int, str]] = set()
    lowered = func.lower(model.slug)
    for batch in batches(sorted(set(pairs))):
        query = select(model.organization_id, lowered).where(
            model.organization_id.in_({organization_id for organization_id, _ in batch}),
            lowered.in_({slug for _, slug in batch}),
        )
        held.update((organization_id, slug) for organization_id, slug in session.execute(query))
    return held


def free_slugs(
    session: Session,
    model: Any,
    wanted: list[tuple[int, str, str]],
    *,
    max_length: int,
    reserved: Set[str] = frozenset(),
) -> list[str]:
    """The slug of each (organization id, slug, name) of ``model`` (teams or projects), unique in
    its organization regardless of case: the slug as given when it is free, with Sentry's random
    suffix when it is taken; an empty slug is made from the name (and must not be ``reserved``),
    as Sentry's save does."""
    looked_up = {(organization_id, slug.lower()) for organization_id, slug, _ in wanted}
    held = _held_slugs(session, model, looked_up)

    def taken(organization_id: int, slug: str) -> bool:
        key = (organization_id, slug.lower())
        if key not in looked_up:
            looked_up.add(key)
            held.update(_held_slugs(session, model, [key]))
        return key in held

    slugs: list[str] = []
    for organization_id, given, name in wanted:
        in_organization = partial(taken, organization_id)
        slug = given
        if not given:
            base = slugify(name)[:max_length].strip("-")
            slug = unique_slug(base, in_organization, max_length=max_length, reserved=reserved)
        elif in_organization(given):
            slug = unique_slug(given, in_organization, max_length=max_length)
        held.add((organization_id, slug.lower()))
        slugs.append(slug)
    return slugs


K = TypeVar("K", bound=Hashable)


def insert_once(
    context: ImportContext,
    model: Any,
    *,
    rows: list[ChunkRow],
    values: list[dict[str, Any]],
    keys: list[K],
    held: dict[K, int],
    returned_key: Callable[[Any], K],
    columns: tuple[Any, ...],
    duplicate: MappingKind = MappingKind.EXISTING,
) -> tuple[list[MappedRow], dict[K, int]]:
    """Inserts the first row of each key that ``held`` (key -> id here) does not hold yet, and
    returns each row's outcome with the ids inserted by key. A row whose key is held maps to
    that id (EXISTING), or with ``duplicate=SKIPPED`` is left out. ``returned_key`` reads a key
    from the inserted ``columns`` of ``model``."""
    new: list[dict[str, Any]] = []
    first: list[bool] = []
    claimed: set[K] = set()
    for key, value in zip(keys, values, strict=True):
        is_new = key not in held and key not in claimed
        if is_new:
            claimed.add(key)
            new.append(value)
        first.append(is_new)
    inserted = insert_keyed(context.uow.session, model, new, returned_key, *columns)
    held.update(inserted)
    mapped: list[MappedRow] = []
    for row, key, is_new in zip(rows, keys, first, strict=True):
        if is_new:
            mapped.append(MappedRow(row.pk, inserted[key], MappingKind.INSERTED))
        elif duplicate is MappingKind.SKIPPED:
            mapped.append(MappedRow(row.pk, 0, MappingKind.SKIPPED))
        else:
            mapped.append(MappedRow(row.pk, held[key], duplicate))
    return mapped, inserted
