"""What the region's importers share: mapped keys, roles, slugs per organization, single inserts."""

from __future__ import annotations

from collections.abc import Iterable, Set
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.db.bulk import batches
from shared.folding import fold_case
from shared.relocation.fields import RowFields
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
    looked_up = {(organization_id, fold_case(slug)) for organization_id, slug, _ in wanted}
    held = _held_slugs(session, model, looked_up)

    def taken(organization_id: int, slug: str) -> bool:
        key = (organization_id, fold_case(slug))
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
        held.add((organization_id, fold_case(slug)))
        slugs.append(slug)
    return slugs
