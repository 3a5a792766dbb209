"""The "Super Admin" user role that `silo createuser --superuser` grants.

Revision ID: 0003_super_admin_role
Revises: 0002_organization_provisioning
Create Date: 2026-11-22 07:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003_super_admin_role"
down_revision = "0002_organization_provisioning"
branch_labels = None
depends_on = None

ROLE = "Super Admin"
PERMISSIONS = ["broadcasts.admin", "users.admin", "options.admin"]

userrole = sa.table(
    "userrole",
    sa.column("name", sa.String),
    sa.column("permissions", sa.JSON),
    sa.column("date_added", sa.DateTime(timezone=True)),
    sa.column("date_updated", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    now = datetime.now(UTC)
    op.bulk_insert(
        userrole,
        [{"name": ROLE, "permissions": PERMISSIONS, "date_added": now, "date_updated": now}],
    )


def downgrade() -> None:
    op.execute(userrole.delete().where(userrole.c.name == ROLE))
