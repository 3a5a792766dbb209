"""Row counts and highest ids of every table of every silo, to show a refused call wrote
nothing."""

from __future__ import annotations

import time

from sqlalchemy import Engine, MetaData, func, select

from shared.db.engine import make_engine

Fingerprint = dict[str, tuple[int, int | None]]


class Tables:
    """The databases of the running silos, read with connections kept open."""

    def __init__(self, databases: dict[str, tuple[str, MetaData]]) -> None:
        self._databases: list[tuple[str, Engine, MetaData]] = [
            (label, make_engine(url), metadata) for label, (url, metadata) in databases.items()
        ]

    def fingerprint(self) -> Fingerprint:
        """(rows, highest id) of every table; one transaction per database."""
        found: Fingerprint = {}
        for label, engine, metadata in self._databases:
            with engine.connect() as connection:
                for table in metadata.sorted_tables:
                    highest = func.max(table.c.id) if "id" in table.c else None
                    columns = [func.count()] + ([highest] if highest is not None else [])
                    row = connection.execute(select(*columns).select_from(table)).one()
                    found[f"{label}.{table.name}"] = (
                        int(row[0]),
                        None if highest is None or row[1] is None else int(row[1]),
                    )
        return found

    def settled(self, timeout: float = 3.0) -> Fingerprint:
        """A fingerprint that two reads agree on: what earlier calls set off (outbox deliveries)
        has landed, so a change after the next call is that call's."""
        deadline = time.monotonic() + timeout
        previous = self.fingerprint()
        while True:
            time.sleep(0.02)
            current = self.fingerprint()
            if current == previous or time.monotonic() > deadline:
                return current
            previous = current

    def close(self) -> None:
        """Closes the connections."""
        for _, engine, _ in self._databases:
            engine.dispose()


def changed(before: Fingerprint, after: Fingerprint) -> dict[str, tuple[object, object]]:
    """The tables whose rows or highest id differ."""
    return {
        name: (before.get(name), after.get(name))
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }
