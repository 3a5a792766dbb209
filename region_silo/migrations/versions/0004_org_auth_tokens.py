"""Imports: organization auth tokens.

Revision ID: 0004_org_auth_tokens
Revises: 0003_import_chunks
Create Date: 2026-11-22 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_org_auth_tokens"
down_revision = "0003_import_chunks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orgauthtoken",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("token_hashed", sa.Text(), nullable=False),
        sa.Column("token_last_characters", sa.String(length=4), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("scope_list", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_last_used", sa.DateTime(timezone=True), nullable=True),
        sa.Column("project_last_used_id", sa.BigInteger(), nullable=True),
        sa.Column("date_deactivated", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_orgauthtoken_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orgauthtoken")),
        sa.UniqueConstraint("token_hashed", name=op.f("uq_orgauthtoken_token_hashed")),
    )
    op.create_index(
        op.f("ix_orgauthtoken_organization_id"), "orgauthtoken", ["organization_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_orgauthtoken_organization_id"), table_name="orgauthtoken")
    op.drop_table("orgauthtoken")
