"""Row counts and highest ids of every table of every silo, to show a refused call wrote
nothing."""

from __future__ import annotations

import time

from sqlalchemy import Engine, MetaData, func, literal, null, select, union_all

from shared.db.engine import make_engine

Fingerprint = dict[str, tuple[int, int | None]]
OUTBOX_TABLES = (".controloutbox", ".regionoutbox")


class Tables:
    """The databases of the running silos, read with connections kept open."""

    def __init__(self, databases: dict[str, tuple[str, MetaData]]) -> None:
        self._databases: list[tuple[str, Engine, MetaData]] = [
            (label, make_engine(url), metadata) for label, (url, metadata) in databases.items()
        ]

    def fingerprint(self) -> Fingerprint:
        """(rows, highest id) of every table: one query per database."""
        found: Fingerprint = {}
        for label, engine, metadata in self._databases:
            parts = [
                select(
                    literal(table.name).label("name"),
                    func.count().label("rows"),
                    (func.max(table.c.id) if "id" in table.c else null()).label("highest"),
                ).select_from(table)
                for table in metadata.sorted_tables
            ]
            with engine.connect() as connection:
                for name, rows, highest in connection.execute(union_all(*parts)):
                    found[f"{label}.{name}"] = (
                        int(rows),
                        None if highest is None else int(highest),
                    )
        return found

    def settled(self, last: Fingerprint | None = None, timeout: float = 3.0) -> Fingerprint:
        """A fingerprint that two reads agree on (``last`` is the previous read, when there is
        one) with no outbox message waiting: what earlier calls set off (outbox deliveries) has
        landed, so a change after the next call is that call's. Two equal reads alone would not
        do: a message its drainer has not picked up yet changes nothing until it is delivered."""
        deadline = time.monotonic() + timeout
        previous = self.fingerprint() if last is None else last
        while True:
            current = self.fingerprint()
            quiet = current == previous and not _waiting_messages(current)
            if quiet or time.monotonic() > deadline:
                return current
            previous = current
            time.sleep(0.02)

    def close(self) -> None:
        """Closes the connections."""
        for _, engine, _ in self._databases:
            engine.dispose()


def _waiting_messages(fingerprint: Fingerprint) -> int:
    """How many outbox messages of any silo are still to be delivered."""
    return sum(rows for name, (rows, _) in fingerprint.items() if name.endswith(OUTBOX_TABLES))


def changed(before: Fingerprint, after: Fingerprint) -> dict[str, tuple[object, object]]:
    """The tables whose rows or highest id differ."""
    return {
        name: (before.get(name), after.get(name))
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }
