"""How the control silo writes import chunks of the user models it owns."""

from __future__ import annotations

from collections.abc import Mapping

from control_silo.relocation import auth, config, organizations, user_data, users
from shared.relocation.writer import Importer


def control_importers() -> Mapping[str, Importer]:
    """The control silo's importers, by model name."""
    return {
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
