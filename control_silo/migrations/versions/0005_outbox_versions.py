"""Outbox ids (message versions) never go back on SQLite, even after the table drains.

Revision ID: 0005_outbox_versions
Revises: 0004_relocation
Create Date: 2026-11-22 17:40:00
"""

from __future__ import annotations

from shared.outbox.migration import allow_id_reuse, make_ids_monotonic

revision = "0005_outbox_versions"
down_revision = "0004_relocation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    make_ids_monotonic("controloutbox")


def downgrade() -> None:
    allow_id_reuse("controloutbox")
