"""A user's useremail rows, the installation-wide email table, and email verification."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import EmailRow, UserEmailRow
from control_silo.outbox.messages import user_changed
from shared.db.bulk import batches, insert_rows
from shared.db.unit_of_work import UnitOfWork


def ensure_useremails(uow: UnitOfWork, addresses: Sequence[tuple[int, str]]) -> None:
    """Gives each (user id, address) pair an unverified useremail row unless the user already has
    the address (in any case), and records every address in the email table."""
    if not addresses:
        return
    session = uow.session
    held: set[tuple[int, str]] = set()
    for user_ids in batches(sorted({user_id for user_id, _ in addresses})):
        query = select(UserEmailRow.user_id, func.lower(UserEmailRow.email)).where(
            UserEmailRow.user_id.in_(user_ids)
        )
        held.update((user_id, address) for user_id, address in session.execute(query))
    new_rows: list[dict[str, object]] = []
    for user_id, address in addresses:
        if (user_id, address.lower()) not in held:
            held.add((user_id, address.lower()))
            new_rows.append(
                {"user_id": user_id, "email": address, "validation_hash": secrets.token_hex(16)}
            )
    for rows in batches(new_rows):
        insert_rows(session, UserEmailRow, rows)
    _record_emails(session, [address for _, address in addresses])


def ensure_useremail(uow: UnitOfWork, user_id: int, address: str) -> None:
    """The single form of ``ensure_useremails``."""
    ensure_useremails(uow, [(user_id, address)])


def _record_emails(session: Session, addresses: Sequence[str]) -> None:
    first_spelling: dict[str, str] = {}
    for address in addresses:
        first_spelling.setdefault(address.lower(), address)
    wanted = list(first_spelling)
    for lowered in batches(wanted):
        for known in session.scalars(
            select(func.lower(EmailRow.email)).where(func.lower(EmailRow.email).in_(lowered))
        ):
            first_spelling.pop(known, None)
    missing = list(first_spelling.values())
    for chunk in batches(missing):
        try:
            with session.begin_nested():
                insert_rows(session, EmailRow, [{"email": address} for address in chunk])
        except IntegrityError:
            # Another writer recorded one of them meanwhile: add the rest one at a time.
            for address in chunk:
                with contextlib.suppress(IntegrityError), session.begin_nested():
                    session.execute(insert(EmailRow), [{"email": address}])


def verify_user_email(uow: UnitOfWork, user_id: int, email: str) -> bool:
    """Marks the user's first row for ``email`` (any case) verified; False when there is no such
    row or it was verified already."""
    return _verify(
        uow,
        and_(
            UserEmailRow.user_id == user_id,
            func.lower(UserEmailRow.email) == email.strip().lower(),
        ),
    )


def verify_any_email(uow: UnitOfWork, email: str) -> bool:
    """Marks the first row of any user for ``email`` (any case) verified; False when there is no
    such row or it was verified already."""
    return _verify(uow, func.lower(UserEmailRow.email) == email.strip().lower())


def _verify(uow: UnitOfWork, condition: ColumnElement[bool]) -> bool:
    row = uow.session.scalars(
        select(UserEmailRow).where(condition).order_by(UserEmailRow.id).limit(1)
    ).first()
    if row is None or row.is_verified:
        return False
    row.is_verified = True
    user_changed(uow, row.user_id)
    return True
