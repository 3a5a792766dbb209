"""Keeps a user's useremail rows and the installation-wide email table in step."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from control_silo.db.models import EmailRow, UserEmailRow


def ensure_useremail(session: Session, user_id: int, address: str) -> UserEmailRow:
    """Returns the user's row for ``address`` (any case), adding an unverified one if missing,
    and records the address in the email table."""
    lowered = address.lower()
    row = session.scalars(
        select(UserEmailRow).where(
            UserEmailRow.user_id == user_id, func.lower(UserEmailRow.email) == lowered
        )
    ).first()
    if row is None:
        row = UserEmailRow(user_id=user_id, email=address, validation_hash=secrets.token_hex(16))
        session.add(row)
    session.flush()
    if session.scalar(select(EmailRow.id).where(func.lower(EmailRow.email) == lowered)) is None:
        try:
            with session.begin_nested():
                session.add(EmailRow(email=address))
        except IntegrityError:
            pass  # recorded concurrently by another writer: the row exists either way
    return row
