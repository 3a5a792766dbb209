"""Query pieces of the user service: filters, email lookups, page tokens."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from control_silo.db.models import (
    AuthenticatorRow,
    AuthIdentityRow,
    OrganizationMemberMappingRow,
    UserEmailRow,
    UserRow,
)
from shared import validation
from shared.errors import InvalidArgument
from shared.folding import fold_case
from shared.services.user.model import UserFilter


def lowered(addresses: Sequence[str]) -> list[str]:
    return [fold_case(address.strip()) for address in addresses]


def encode_page_token(after_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after_id}).encode()).decode()


def decode_page_token(token: str) -> int:
    if not token:
        return 0
    try:
        after = json.loads(base64.urlsafe_b64decode(token.encode()))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise InvalidArgument("is not a token this service issued", field="page_token") from None
    # An id beyond 64 bits is no id of this service's (and would fail in the database).
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after < 2**63:
        raise InvalidArgument("is not a token this service issued", field="page_token")
    return after


def checked_filter(user_filter: UserFilter) -> UserFilter:
    """``user_filter`` if it selects users (Sentry refuses a filter without ids, emails or an
    organization) and its lists are within bounds."""
    if (
        user_filter.user_ids is None
        and user_filter.emails is None
        and user_filter.organization_id is None
    ):
        raise InvalidArgument(
            "needs at least one of user_ids, emails or organization_id", field="filter"
        )
    validation.bounded_list(user_filter.user_ids or (), "filter.user_ids")
    validation.bounded_list(user_filter.emails or (), "filter.emails")
    validation.bounded_list(user_filter.authenticator_types or (), "filter.authenticator_types")
    return user_filter


def like_pattern(text: str) -> str:
    """A LIKE pattern (escaped with ``\\``) matching ``text`` anywhere, literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filter_conditions(user_filter: UserFilter) -> list[ColumnElement[bool]]:
    """The conditions of ``user_filter``; a list that is given and empty matches nothing."""
    conditions: list[ColumnElement[bool]] = []
    if user_filter.user_ids is not None:
        conditions.append(UserRow.id.in_(set(user_filter.user_ids)))
    if user_filter.is_active is not None:
        conditions.append(UserRow.is_active.is_(user_filter.is_active))
    if user_filter.organization_id is not None:
        conditions.append(
            exists().where(
                OrganizationMemberMappingRow.user_id == UserRow.id,
                OrganizationMemberMappingRow.organization_id == user_filter.organization_id,
            )
        )
    if user_filter.email_verified is not None:
        conditions.append(
            exists().where(
                UserEmailRow.user_id == UserRow.id,
                UserEmailRow.is_verified.is_(user_filter.email_verified),
            )
        )
    if user_filter.emails is not None:
        conditions.append(
            exists().where(
                UserEmailRow.user_id == UserRow.id,
                func.lower(UserEmailRow.email).in_(lowered(user_filter.emails)),
            )
        )
    if user_filter.authenticator_types is not None:
        conditions.append(
            exists().where(
                AuthenticatorRow.user_id == UserRow.id,
                AuthenticatorRow.type.in_(set(user_filter.authenticator_types)),
            )
        )
    if user_filter.query:
        pattern = like_pattern(fold_case(user_filter.query))
        conditions.append(
            or_(
                func.lower(UserRow.name).like(pattern, escape="\\"),
                exists().where(
                    UserEmailRow.user_id == UserRow.id,
                    func.lower(UserEmailRow.email).like(pattern, escape="\\"),
                ),
            )
        )
    return conditions


def find_active_by_email(session: Session, email: str, ident: str | None) -> UserRow | None:
    candidates = session.scalars(
        select(UserRow)
        .where(func.lower(UserRow.email) == fold_case(email.strip()), UserRow.is_active.is_(True))
        .order_by(UserRow.id)
    ).all()
    if len(candidates) > 1 and ident:
        preferred = session.scalars(
            select(AuthIdentityRow.user_id)
            .where(
                AuthIdentityRow.user_id.in_([row.id for row in candidates]),
                AuthIdentityRow.ident == ident,
            )
            .order_by(AuthIdentityRow.id)
        ).first()
        for row in candidates:
            if row.id == preferred:
                return row
    return candidates[0] if candidates else None
