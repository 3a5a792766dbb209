"""User cache versions: a row per user that triggers renew in the transaction of every write to
what GetUser returns (the user, its emails, permissions, role grants and the roles' permissions),
so each process's read cache can check its entries with one indexed read. Triggers, not
application code, so that every writer is covered: other processes, `silo createuser`, imports
and hand-written SQL.

Revision ID: 0009_user_cache_versions
Revises: 0008_request_log
Create Date: 2026-11-22 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_user_cache_versions"
down_revision = "0008_request_log"
branch_labels = None
depends_on = None

# Tables whose rows carry a user_id and feed GetUser.
_USER_CHILDREN = ("useremail", "userpermission", "userroleuser")


def _sqlite_bump(user_id: str) -> str:
    # Delete and insert: the AUTOINCREMENT key is a fresh, never reused value. A user deleted
    # (its rows going with it) keeps no version row.
    return (
        f"DELETE FROM usercacheversion WHERE user_id = {user_id}; "  # noqa: S608 - column names
        f"INSERT INTO usercacheversion (user_id) SELECT {user_id} "
        f'WHERE EXISTS (SELECT 1 FROM "user" WHERE id = {user_id});'
    )


def _sqlite_triggers() -> list[str]:
    statements = [
        f'CREATE TRIGGER usercache_user_insert AFTER INSERT ON "user" BEGIN '
        f"{_sqlite_bump('NEW.id')} END",
        f'CREATE TRIGGER usercache_user_update AFTER UPDATE ON "user" BEGIN '
        f"{_sqlite_bump('NEW.id')} END",
        f'CREATE TRIGGER usercache_user_delete AFTER DELETE ON "user" BEGIN '
        f"{_sqlite_bump('OLD.id')} END",
        "CREATE TRIGGER usercache_userrole_update AFTER UPDATE ON userrole BEGIN "
        "DELETE FROM usercacheversion WHERE user_id IN "
        "(SELECT user_id FROM userroleuser WHERE role_id IN (OLD.id, NEW.id)); "
        "INSERT INTO usercacheversion (user_id) SELECT DISTINCT g.user_id FROM userroleuser g "
        'JOIN "user" u ON u.id = g.user_id WHERE g.role_id IN (OLD.id, NEW.id); END',
    ]
    for table in _USER_CHILDREN:
        statements += [
            f"CREATE TRIGGER usercache_{table}_insert AFTER INSERT ON {table} BEGIN "
            f"{_sqlite_bump('NEW.user_id')} END",
            f"CREATE TRIGGER usercache_{table}_update AFTER UPDATE ON {table} BEGIN "
            f"{_sqlite_bump('OLD.user_id')} {_sqlite_bump('NEW.user_id')} END",
            f"CREATE TRIGGER usercache_{table}_delete AFTER DELETE ON {table} BEGIN "
            f"{_sqlite_bump('OLD.user_id')} END",
        ]
    return statements


_POSTGRESQL_FUNCTIONS = [
    """
    CREATE FUNCTION usercache_bump(ids bigint[]) RETURNS void LANGUAGE sql AS $$
        INSERT INTO usercacheversion (user_id)
        SELECT DISTINCT u.id FROM "user" u WHERE u.id = ANY(ids)
        ON CONFLICT (user_id)
        DO UPDATE SET version = nextval(pg_get_serial_sequence('usercacheversion', 'version'))
    $$
    """,
    """
    CREATE FUNCTION usercache_on_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_TABLE_NAME = 'user' THEN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM usercacheversion WHERE user_id = OLD.id;
            ELSE
                PERFORM usercache_bump(ARRAY[NEW.id]);
            END IF;
        ELSIF TG_TABLE_NAME = 'userrole' THEN
            PERFORM usercache_bump(ARRAY(
                SELECT user_id FROM userroleuser WHERE role_id IN (OLD.id, NEW.id)
            ));
        ELSIF TG_OP = 'INSERT' THEN
            PERFORM usercache_bump(ARRAY[NEW.user_id]);
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM usercache_bump(ARRAY[OLD.user_id, NEW.user_id]);
        ELSE
            PERFORM usercache_bump(ARRAY[OLD.user_id]);
        END IF;
        RETURN NULL;
    END
    $$
    """,
]


def _postgresql_triggers() -> list[str]:
    statements = [
        'CREATE TRIGGER usercache_user AFTER INSERT OR UPDATE OR DELETE ON "user" '
        "FOR EACH ROW EXECUTE FUNCTION usercache_on_write()",
        "CREATE TRIGGER usercache_userrole AFTER UPDATE ON userrole "
        "FOR EACH ROW EXECUTE FUNCTION usercache_on_write()",
    ]
    statements += [
        f"CREATE TRIGGER usercache_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION usercache_on_write()"
        for table in _USER_CHILDREN
    ]
    return statements


def upgrade() -> None:
    op.create_table(
        "usercacheversion",
        sa.Column(
            "version",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_usercacheversion")),
        sa.UniqueConstraint("user_id", name=op.f("uq_usercacheversion_user_id")),
        sqlite_autoincrement=True,
    )
    op.execute('INSERT INTO usercacheversion (user_id) SELECT id FROM "user" ORDER BY id')
    if op.get_bind().dialect.name == "sqlite":
        for statement in _sqlite_triggers():
            op.execute(statement)
        return
    for statement in [*_POSTGRESQL_FUNCTIONS, *_postgresql_triggers()]:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        tables = ["user", "userrole", *_USER_CHILDREN]
        for table in tables:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS usercache_{table}_{event}")
    else:
        for table in ["user", "userrole", *_USER_CHILDREN]:
            op.execute(f'DROP TRIGGER IF EXISTS usercache_{table} ON "{table}"')
        op.execute("DROP FUNCTION IF EXISTS usercache_on_write()")
        op.execute("DROP FUNCTION IF EXISTS usercache_bump(bigint[])")
    op.drop_table("usercacheversion")
