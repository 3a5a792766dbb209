"""Imports: the record of written chunks, second factors and known IP addresses.

Revision ID: 0004_relocation
Revises: 0003_super_admin_role
Create Date: 2026-11-22 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_relocation"
down_revision = "0003_super_admin_role"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "controlimportchunk",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("import_uuid", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("min_ordinal", sa.BigInteger(), nullable=False),
        sa.Column("max_ordinal", sa.BigInteger(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("date_added", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_controlimportchunk")),
        sa.UniqueConstraint(
            "import_uuid",
            "model",
            "min_ordinal",
            name=op.f("uq_controlimportchunk_import_uuid_model_min_ordinal"),
        ),
    )
    op.create_table(
        "authenticator",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("type", sa.Integer(), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("last_used_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_authenticator_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authenticator")),
        sa.UniqueConstraint("user_id", "type", name=op.f("uq_authenticator_user_id_type")),
    )
    op.create_table(
        "userip",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("country_code", sa.String(length=16), nullable=True),
        sa.Column("region_code", sa.String(length=16), nullable=True),
        sa.Column("first_seen", TIME, nullable=False),
        sa.Column("last_seen", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_userip_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_userip")),
        sa.UniqueConstraint("user_id", "ip_address", name=op.f("uq_userip_user_id_ip_address")),
    )


def downgrade() -> None:
    op.drop_table("userip")
    op.drop_table("authenticator")
    op.drop_table("controlimportchunk")
