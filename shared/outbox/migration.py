"""The schema step that makes outbox ids (message versions) monotonic on SQLite.

Without AUTOINCREMENT, SQLite gives a new row the largest id in the table plus one, so once a
table drains, ids are handed out again and a later message carries a smaller version than one the
receiving silo already applied. PostgreSQL's sequences never go back, so only SQLite changes.
"""

from __future__ import annotations

import time

from alembic import op
from sqlalchemy import column, func, select, table, text


def _first_id_after_upgrade(largest_id: int) -> int:
    # Ids issued before the upgrade may have been reused and the table may be empty, so the
    # largest one ever issued is unknown here; none can exceed the count of rows ever written,
    # which stays far below the current time in microseconds.
    return max(largest_id, time.time_ns() // 1000)


def make_ids_monotonic(name: str) -> None:
    """Rebuilds the table ``name`` with AUTOINCREMENT on SQLite and starts its ids above every id it
    can have issued before; does nothing on other databases."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    largest = bind.scalar(select(func.max(column("id"))).select_from(table(name))) or 0
    with op.batch_alter_table(name, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
        pass
    bind.execute(text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": name})
    bind.execute(
        text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
        {"name": name, "seq": _first_id_after_upgrade(int(largest))},
    )


def allow_id_reuse(name: str) -> None:
    """Undoes ``make_ids_monotonic`` (SQLite only)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        name, recreate="always", table_kwargs={"sqlite_autoincrement": False}
    ):
        pass
