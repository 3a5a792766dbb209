"""The control silo schema: users, emails, options, auth, organization mappings, outbox.

Revision ID: 0001_control_schema
Revises:
Create Date: 2026-11-22 05:57:34.409010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_control_schema"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authprovider",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("provider", sa.String(length=128), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sync_time", sa.Integer(), nullable=True),
        sa.Column("last_sync", sa.DateTime(timezone=True), nullable=True),
        sa.Column("default_role", sa.Integer(), nullable=False),
        sa.Column("default_global_access", sa.Boolean(), nullable=False),
        sa.Column("flags", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authprovider")),
        sa.UniqueConstraint("organization_id", name=op.f("uq_authprovider_organization_id")),
    )
    op.create_table(
        "controloutbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("region_name", sa.String(length=48), nullable=False),
        sa.Column("shard_scope", sa.Integer(), nullable=False),
        sa.Column("shard_identifier", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.Integer(), nullable=False),
        sa.Column("object_identifier", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("scheduled_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_controloutbox")),
    )
    op.create_index(
        "ix_controloutbox_scheduled_for", "controloutbox", ["scheduled_for"], unique=False
    )
    op.create_index(
        "ix_controloutbox_shard",
        "controloutbox",
        ["region_name", "shard_scope", "shard_identifier", "id"],
        unique=False,
    )

    op.create_table(
        "email",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("email", sa.String(length=75), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email")),
    )
    op.create_table(
        "organizationmapping",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("date_created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("customer_id", sa.String(length=255), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=48), nullable=False),
        sa.Column("region_name", sa.String(length=48), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizationmapping")),
        sa.UniqueConstraint("organization_id", name=op.f("uq_organizationmapping_organization_id")),
        sa.UniqueConstraint("slug", name=op.f("uq_organizationmapping_slug")),
    )
    op.create_table(
        "organizationmembermapping",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("organizationmember_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("email", sa.String(length=75), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("inviter_id", sa.BigInteger(), nullable=True),
        sa.Column("invite_status", sa.Integer(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizationmembermapping")),
        sa.UniqueConstraint(
            "organization_id",
            "email",
            name=op.f("uq_organizationmembermapping_organization_id_email"),
        ),
        sa.UniqueConstraint(
            "organization_id",
            "organizationmember_id",
            name=op.f("uq_organizationmembermapping_organization_id_organizationmember_id"),
        ),
        sa.UniqueConstraint(
            "organization_id",
            "user_id",
            name=op.f("uq_organizationmembermapping_organization_id_user_id"),
        ),
    )
    op.create_index(
        op.f("ix_organizationmembermapping_user_id"),
        "organizationmembermapping",
        ["user_id"],
        unique=False,
    )

    op.create_table(
        "organizationslugreservation",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("region_name", sa.String(length=48), nullable=False),
        sa.Column("reservation_type", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizationslugreservation")),
        sa.UniqueConstraint(
            "organization_id",
            "reservation_type",
            name=op.f("uq_organizationslugreservation_organization_id_reservation_type"),
        ),
        sa.UniqueConstraint("slug", name=op.f("uq_organizationslugreservation_slug")),
    )
    op.create_table(
        "user",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("password", sa.String(length=128), nullable=False),
        sa.Column("last_login", sa.DateTime(timezone=True), nullable=True),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("first_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=75), nullable=False),
        sa.Column("is_staff", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_superuser", sa.Boolean(), nullable=False),
        sa.Column("is_managed", sa.Boolean(), nullable=False),
        sa.Column("is_sentry_app", sa.Boolean(), nullable=True),
        sa.Column("is_password_expired", sa.Boolean(), nullable=False),
        sa.Column("is_unclaimed", sa.Boolean(), nullable=False),
        sa.Column("last_password_change", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flags", sa.BigInteger(), nullable=False),
        sa.Column("session_nonce", sa.String(length=12), nullable=True),
        sa.Column("date_joined", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_active", sa.DateTime(timezone=True), nullable=True),
        sa.Column("avatar_type", sa.SmallInteger(), nullable=False),
        sa.Column("avatar_url", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("username", name=op.f("uq_user_username")),
    )
    op.create_table(
        "userrole",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_userrole")),
        sa.UniqueConstraint("name", name=op.f("uq_userrole_name")),
    )
    op.create_table(
        "authidentity",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "auth_provider_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("ident", sa.String(length=128), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("last_verified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_synced", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["auth_provider_id"],
            ["authprovider.id"],
            name=op.f("fk_authidentity_auth_provider_id_authprovider"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_authidentity_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authidentity")),
        sa.UniqueConstraint(
            "auth_provider_id", "ident", name=op.f("uq_authidentity_auth_provider_id_ident")
        ),
        sa.UniqueConstraint(
            "auth_provider_id", "user_id", name=op.f("uq_authidentity_auth_provider_id_user_id")
        ),
    )
    op.create_index(op.f("ix_authidentity_user_id"), "authidentity", ["user_id"], unique=False)

    op.create_table(
        "lostpasswordhash",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hash", sa.String(length=32), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lostpasswordhash_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lostpasswordhash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_lostpasswordhash_user_id")),
    )
    op.create_table(
        "useremail",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("email", sa.String(length=75), nullable=False),
        sa.Column("validation_hash", sa.String(length=32), nullable=False),
        sa.Column("date_hash_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_verified", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_useremail_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_useremail")),
        sa.UniqueConstraint("user_id", "email", name=op.f("uq_useremail_user_id_email")),
    )
    op.create_index(op.f("ix_useremail_user_id"), "useremail", ["user_id"], unique=False)

    op.create_table(
        "useroption",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_useroption_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_useroption")),
        sa.UniqueConstraint(
            "user_id",
            "project_id",
            "organization_id",
            "key",
            name=op.f("uq_useroption_user_id_project_id_organization_id_key"),
        ),
    )
    op.create_index(op.f("ix_useroption_user_id"), "useroption", ["user_id"], unique=False)

    op.create_table(
        "userpermission",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("permission", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_userpermission_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_userpermission")),
        sa.UniqueConstraint(
            "user_id", "permission", name=op.f("uq_userpermission_user_id_permission")
        ),
    )
    op.create_table(
        "userroleuser",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["userrole.id"],
            name=op.f("fk_userroleuser_role_id_userrole"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_userroleuser_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_userroleuser")),
        sa.UniqueConstraint("user_id", "role_id", name=op.f("uq_userroleuser_user_id_role_id")),
    )

    # Expression indexes (autogenerate cannot compare these on SQLite, so they are written here).
    op.create_index("uq_user_username_lower", "user", [sa.text("lower(username)")], unique=True)
    op.create_index("ix_user_email_lower", "user", [sa.text("lower(email)")])
    op.create_index("uq_email_email_lower", "email", [sa.text("lower(email)")], unique=True)
    op.create_index("ix_useremail_email_lower", "useremail", [sa.text("lower(email)")])
    op.create_index(
        "uq_useroption_user_scope_key",
        "useroption",
        [
            sa.text("user_id"),
            sa.text("coalesce(project_id, 0)"),
            sa.text("coalesce(organization_id, 0)"),
            sa.text("key"),
        ],
        unique=True,
    )


def downgrade() -> None:
    for name, table in [
        ("uq_useroption_user_scope_key", "useroption"),
        ("ix_useremail_email_lower", "useremail"),
        ("uq_email_email_lower", "email"),
        ("ix_user_email_lower", "user"),
        ("uq_user_username_lower", "user"),
    ]:
        op.drop_index(name, table_name=table)
    op.drop_table("userroleuser")
    op.drop_table("userpermission")
    op.drop_index(op.f("ix_useroption_user_id"), table_name="useroption")

    op.drop_table("useroption")
    op.drop_index(op.f("ix_useremail_user_id"), table_name="useremail")

    op.drop_table("useremail")
    op.drop_table("lostpasswordhash")
    op.drop_index(op.f("ix_authidentity_user_id"), table_name="authidentity")

    op.drop_table("authidentity")
    op.drop_table("userrole")
    op.drop_table("user")
    op.drop_table("organizationslugreservation")
    op.drop_index(
        op.f("ix_organizationmembermapping_user_id"), table_name="organizationmembermapping"
    )

    op.drop_table("organizationmembermapping")
    op.drop_table("organizationmapping")
    op.drop_table("email")
    op.drop_index("ix_controloutbox_shard", table_name="controloutbox")
    op.drop_index("ix_controloutbox_scheduled_for", table_name="controloutbox")

    op.drop_table("controloutbox")
    op.drop_table("authprovider")
