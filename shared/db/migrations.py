"""Alembic, driven from code: each silo keeps its own migration history and version table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, text

from shared.db.engine import is_sqlite, make_engine


@dataclass(frozen=True)
class MigrationHistory:
    """Where one silo's migrations live and which table records the applied revision."""

    silo: str
    script_location: Path
    version_table: str

    @classmethod
    def beside(cls, silo: str, package_file: str) -> MigrationHistory:
        """The history of ``silo`` in the folder of ``package_file`` (its migrations package's
        ``__init__.py``), recorded in the table ``alembic_version_<silo>``."""
        return cls(
            silo=silo,
            script_location=Path(package_file).resolve().parent,
            version_table=f"alembic_version_{silo}",
        )

    def config(self, database_url: str) -> Config:
        """An Alembic config for this history against ``database_url``."""
        config = Config()
        config.set_main_option("script_location", str(self.script_location))
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
        config.set_main_option("version_table", self.version_table)
        return config

    def head(self) -> str | None:
        """The newest revision of this history."""
        return ScriptDirectory.from_config(self.config("sqlite://")).get_current_head()

    def upgrade(self, database_url: str, revision: str = "head") -> None:
        """Creates or migrates the schema up to ``revision``; on SQLite, then rebuilds the
        indexes over ``lower(...)``, whose keys an older case folding may have computed."""
        command.upgrade(self.config(database_url), revision)
        if is_sqlite(database_url):
            refold_indexes(database_url)

    def current(self, engine: Engine) -> str | None:
        """The revision the database is at, or None when it was never migrated."""
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": self.version_table}
            )
            return context.get_current_revision()

    def outdated_reason(self, engine: Engine) -> str | None:
        """None when the database is at head; else why not, naming the command that fixes it."""
        current, head = self.current(engine), self.head()
        if current == head:
            return None
        fix = f"run `silo upgrade --silo {self.silo} --database-url URL`"
        if current is None:
            return f"the {self.silo} database has no schema: {fix}"
        if not self.knows(current):
            return (
                f"the {self.silo} database is at revision {current}, which this version of Silo "
                "does not know (was it migrated by a newer one?)"
            )
        return f"the {self.silo} database is at revision {current}, not {head}: {fix}"

    def knows(self, revision: str) -> bool:
        """Whether ``revision`` is one of this history's revisions."""
        scripts = ScriptDirectory.from_config(self.config("sqlite://"))
        return any(script.revision == revision for script in scripts.walk_revisions())


def refold_indexes(database_url: str) -> None:
    """Rebuilds every SQLite index whose expression calls ``lower``, with the engine's case
    folding (``shared.folding.fold_case``)."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            names = connection.scalars(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'index' "
                    "AND lower(sql) LIKE '%lower(%'"
                )
            ).all()
            for name in names:
                connection.execute(text(f'REINDEX "{name}"'))
    finally:
        engine.dispose()


def upgrade_url(history: MigrationHistory, database_url: str) -> None:
    """Migrates the database at ``database_url`` to head, creating SQLite folders as needed."""
    make_engine(database_url).dispose()
    history.upgrade(database_url)


def run_environment(metadata: MetaData) -> None:
    """The body of a silo's Alembic ``env.py``: migrates ``metadata`` online, in one transaction,
    with batch mode on SQLite (which cannot alter tables in place)."""
    from alembic import context  # noqa: PLC0415 - only importable while Alembic runs env.py

    config = context.config
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                version_table=config.get_main_option("version_table") or "alembic_version",
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
    finally:
        engine.dispose()
