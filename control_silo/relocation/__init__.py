"""How the control silo writes import chunks of the user models it owns."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from control_silo.db.models import UserRow
from control_silo.relocation import auth, config, organizations, user_data, users
from shared.relocation.writer import Importer


def control_importers() -> Mapping[str, Importer]:
    """The control silo's importers, by model name."""
    importers: dict[str, Importer] = {
        "sentry.user": users.import_users,
        "sentry.email": user_data.import_emails,
        "sentry.useremail": user_data.import_useremails,
        "sentry.useroption": user_data.import_useroptions,
        "sentry.userpermission": config.import_permissions,
        "sentry.userrole": config.import_roles,
        "sentry.userroleuser": config.import_role_holders,
        "sentry.authprovider": auth.import_auth_providers,
        "sentry.authidentity": auth.import_auth_identities,
        "sentry.authenticator": auth.import_authenticators,
        "sentry.userip": auth.import_user_ips,
        "sentry.organization": organizations.import_organizations,
    }
    return importers


def control_holdings(session: Session) -> str | None:
    """What a full restore must not meet here: any user."""
    return "users" if session.scalar(select(UserRow.id).limit(1)) is not None else None
