"""Users' social-auth identities.

Revision ID: 0007_user_social_auth
Revises: 0006_user_avatar
Create Date: 2026-11-22 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_user_social_auth"
down_revision = "0006_user_avatar"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "usersocialauth",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("extra_data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_usersocialauth_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usersocialauth")),
        sa.UniqueConstraint(
            "provider", "uid", "user_id", name=op.f("uq_usersocialauth_provider_uid_user_id")
        ),
    )
    op.create_index(op.f("ix_usersocialauth_user_id"), "usersocialauth", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_usersocialauth_user_id"), table_name="usersocialauth")
    op.drop_table("usersocialauth")
