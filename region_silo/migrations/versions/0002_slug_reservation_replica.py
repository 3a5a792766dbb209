"""The region's replica of the control silo's slug reservations.

Revision ID: 0002_slug_reservation_replica
Revises: 0001_region_schema
Create Date: 2026-11-22 07:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_slug_reservation_replica"
down_revision = "0001_region_schema"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organizationslugreservationreplica",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("organization_slug_reservation_id", sa.BigInteger(), nullable=False),
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("region_name", sa.String(length=48), nullable=False),
        sa.Column("reservation_type", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizationslugreservationreplica")),
        sa.UniqueConstraint(
            "organization_slug_reservation_id",
            name=op.f("uq_organizationslugreservationreplica_organization_slug_reservation_id"),
        ),
        sa.UniqueConstraint("slug", name=op.f("uq_organizationslugreservationreplica_slug")),
    )


def downgrade() -> None:
    op.drop_table("organizationslugreservationreplica")
