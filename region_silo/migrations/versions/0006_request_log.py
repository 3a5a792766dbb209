"""The request log: keys of RPCs whose writes committed, so a retried call is not applied twice.

Revision ID: 0006_request_log
Revises: 0005_outbox_versions
Create Date: 2026-11-22 18:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_request_log"
down_revision = "0005_outbox_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "regionrequest",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_regionrequest")),
    )
    op.create_index("ix_regionrequest_date_added", "regionrequest", ["date_added"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_regionrequest_date_added", table_name="regionrequest")
    op.drop_table("regionrequest")
