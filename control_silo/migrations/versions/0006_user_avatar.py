"""User avatars, and the confirmation emails waiting for a mailer.

Revision ID: 0006_user_avatar
Revises: 0005_outbox_versions
Create Date: 2026-11-22 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_user_avatar"
down_revision = "0005_outbox_versions"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "useravatar",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("file_id", sa.BigInteger(), nullable=True),
        sa.Column("control_file_id", sa.BigInteger(), nullable=True),
        sa.Column("ident", sa.String(length=32), nullable=False),
        sa.Column("avatar_type", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_useravatar_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_useravatar")),
        sa.UniqueConstraint("user_id", name=op.f("uq_useravatar_user_id")),
        sa.UniqueConstraint("ident", name=op.f("uq_useravatar_ident")),
    )
    op.create_table(
        "useremailrequest",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("email", sa.String(length=75), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("date_added", TIME, nullable=False),
        sa.Column("date_sent", TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_useremailrequest_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_useremailrequest")),
    )
    op.create_index(
        op.f("ix_useremailrequest_user_id"), "useremailrequest", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_useremailrequest_user_id"), table_name="useremailrequest")
    op.drop_table("useremailrequest")
    op.drop_table("useravatar")
