"""The request log: keys of RPCs whose writes committed, so a retried call is not applied twice.

Revision ID: 0008_request_log
Revises: 0007_user_social_auth
Create Date: 2026-11-22 18:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_request_log"
down_revision = "0007_user_social_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "controlrequest",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_controlrequest")),
    )
    op.create_index("ix_controlrequest_date_added", "controlrequest", ["date_added"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_controlrequest_date_added", table_name="controlrequest")
    op.drop_table("controlrequest")
