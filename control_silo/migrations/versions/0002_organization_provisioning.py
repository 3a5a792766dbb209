"""Organization provisioning: an id allocation table and versioned membership mappings.

Revision ID: 0002_organization_provisioning
Revises: 0001_control_schema
Create Date: 2026-11-22 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_organization_provisioning"
down_revision = "0001_control_schema"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organizationidallocation",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("region_name", sa.String(length=48), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizationidallocation")),
    )
    with op.batch_alter_table("organizationmembermapping") as batch:
        batch.add_column(sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("organizationmembermapping") as batch:
        batch.drop_column("version")
    op.drop_table("organizationidallocation")
