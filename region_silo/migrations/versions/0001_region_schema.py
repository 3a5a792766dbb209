"""The region silo schema: organizations, members, teams, projects, outbox, cache versions.

Revision ID: 0001_region_schema
Revises:
Create Date: 2026-11-22 06:18:11.516561
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_region_schema"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cacheversion",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_cacheversion")),
    )
    op.create_table(
        "organization",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("default_role", sa.String(length=32), nullable=False),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("flags", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
        sa.UniqueConstraint("slug", name=op.f("uq_organization_slug")),
    )
    op.create_table(
        "regionoutbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("shard_scope", sa.Integer(), nullable=False),
        sa.Column("shard_identifier", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.Integer(), nullable=False),
        sa.Column("object_identifier", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("scheduled_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regionoutbox")),
    )
    op.create_index(
        "ix_regionoutbox_scheduled_for", "regionoutbox", ["scheduled_for"], unique=False
    )
    op.create_index(
        "ix_regionoutbox_shard",
        "regionoutbox",
        ["shard_scope", "shard_identifier", "id"],
        unique=False,
    )

    op.create_table(
        "organizationmember",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("email", sa.String(length=75), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("flags", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("has_global_access", sa.Boolean(), nullable=False),
        sa.Column("inviter_id", sa.BigInteger(), nullable=True),
        sa.Column("invite_status", sa.Integer(), nullable=True),
        sa.Column("type", sa.Integer(), nullable=False),
        sa.Column("user_is_active", sa.Boolean(), nullable=False),
        sa.Column("user_email", sa.String(length=75), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_organizationmember_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizationmember")),
        sa.UniqueConstraint(
            "organization_id", "email", name=op.f("uq_organizationmember_organization_id_email")
        ),
        sa.UniqueConstraint(
            "organization_id", "user_id", name=op.f("uq_organizationmember_organization_id_user_id")
        ),
        sa.UniqueConstraint("token", name=op.f("uq_organizationmember_token")),
    )
    op.create_index(
        op.f("ix_organizationmember_user_id"), "organizationmember", ["user_id"], unique=False
    )

    op.create_table(
        "organizationoption",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_organizationoption_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizationoption")),
        sa.UniqueConstraint(
            "organization_id", "key", name=op.f("uq_organizationoption_organization_id_key")
        ),
    )
    op.create_table(
        "project",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("forced_color", sa.String(length=6), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("first_event", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flags", sa.BigInteger(), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_project_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint(
            "organization_id", "slug", name=op.f("uq_project_organization_id_slug")
        ),
    )
    op.create_table(
        "team",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("idp_provisioned", sa.Boolean(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_team_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("organization_id", "slug", name=op.f("uq_team_organization_id_slug")),
    )
    op.create_table(
        "organizationmemberteam",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "organizationmember_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["organizationmember_id"],
            ["organizationmember.id"],
            name=op.f("fk_organizationmemberteam_organizationmember_id_organizationmember"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_organizationmemberteam_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizationmemberteam")),
        sa.UniqueConstraint(
            "team_id",
            "organizationmember_id",
            name=op.f("uq_organizationmemberteam_team_id_organizationmember_id"),
        ),
    )
    op.create_table(
        "projectteam",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_projectteam_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_projectteam_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projectteam")),
        sa.UniqueConstraint(
            "project_id", "team_id", name=op.f("uq_projectteam_project_id_team_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("projectteam")
    op.drop_table("organizationmemberteam")
    op.drop_table("team")
    op.drop_table("project")
    op.drop_table("organizationoption")
    op.drop_index(op.f("ix_organizationmember_user_id"), table_name="organizationmember")

    op.drop_table("organizationmember")
    op.drop_index("ix_regionoutbox_shard", table_name="regionoutbox")
    op.drop_index("ix_regionoutbox_scheduled_for", table_name="regionoutbox")

    op.drop_table("regionoutbox")
    op.drop_table("organization")
    op.drop_table("cacheversion")
