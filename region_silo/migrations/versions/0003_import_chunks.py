"""Imports: the record of chunks written in this region.

Revision ID: 0003_import_chunks
Revises: 0002_slug_reservation_replica
Create Date: 2026-11-22 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_import_chunks"
down_revision = "0002_slug_reservation_replica"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "regionimportchunk",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("import_uuid", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("min_ordinal", sa.BigInteger(), nullable=False),
        sa.Column("max_ordinal", sa.BigInteger(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regionimportchunk")),
        sa.UniqueConstraint(
            "import_uuid",
            "model",
            "min_ordinal",
            name=op.f("uq_regionimportchunk_import_uuid_model_min_ordinal"),
        ),
    )


def downgrade() -> None:
    op.drop_table("regionimportchunk")
