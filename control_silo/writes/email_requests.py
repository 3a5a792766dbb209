"""Emails a mailer is to send, recorded in the transaction that asks for them."""

from __future__ import annotations

from sqlalchemy import select

from control_silo.db.models import UserEmailRequestRow, UserEmailRow
from control_silo.outbox.messages import user_changed
from control_silo.writes.users import require_user
from shared.db.unit_of_work import UnitOfWork
from shared.services.user.model import UserFlag

CONFIRM_EMAIL = "confirm_email"


def request_consent_emails(uow: UnitOfWork, user_id: int) -> int:
    """Sets the user's newsletter consent prompt flag, tells the user's regions, and records a
    confirmation email request per unverified address (Sentry's ``send_confirm_emails``);
    returns how many it recorded.

    :raises NotFound: no user has that id (field ``user_id``).
    """
    session = uow.session
    user = require_user(session, user_id)
    flagged = user.flags | UserFlag.NEWSLETTER_CONSENT_PROMPT
    if user.flags != flagged:
        user.flags = int(flagged)
        user_changed(uow, user_id)
    unverified = session.scalars(
        select(UserEmailRow.email)
        .where(UserEmailRow.user_id == user_id, UserEmailRow.is_verified.is_(False))
        .order_by(UserEmailRow.id)
    ).all()
    for email in unverified:
        session.add(UserEmailRequestRow(user_id=user_id, email=email, kind=CONFIRM_EMAIL))
    session.flush()
    return len(unverified)
