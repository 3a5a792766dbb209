"""How the control silo writes import chunks of the user models it owns."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from control_silo.db.models import ControlImportChunkRow, UserRow
from control_silo.relocation import auth, config, organizations, user_data, users
from shared.relocation.chunks import ChunkRow, MappedRow
from shared.relocation.findings import FindingKind
from shared.relocation.scopes import ImportScope
from shared.relocation.writer import ImportContext, Importer, chunk_failure


def control_importers() -> Mapping[str, Importer]:
    """The control silo's importers, by model name."""
    importers = {
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
    return {model: _into_empty_silo(importer) for model, importer in importers.items()}


def _into_empty_silo(importer: Importer) -> Importer:
    """A full restore (global scope) goes into a control silo without users: the import's first
    chunk here refuses otherwise, before anything is written."""

    def write(context: ImportContext, rows: list[ChunkRow]) -> list[MappedRow]:
        header = context.header
        session = context.uow.session
        if header.scope is ImportScope.GLOBAL:
            # The writer has added this chunk's record already: one record is the first chunk.
            records = session.scalars(
                select(ControlImportChunkRow.id)
                .where(ControlImportChunkRow.import_uuid == header.import_uuid)
                .limit(2)
            ).all()
            if len(records) == 1 and session.scalar(select(UserRow.id).limit(1)) is not None:
                raise chunk_failure(
                    FindingKind.UNEXPECTED_MODEL,
                    header,
                    "a global import restores a backup into an empty control silo, and this one "
                    "holds users; Silo never deletes data to make room",
                )
        return importer(context, rows)

    return write
