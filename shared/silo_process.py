"""What every silo process's composition root has in common: its sessions, outbox writer and
drainer, metrics, schema check and gRPC server; each silo adds its services and its delivery."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings
from shared.db.migrations import MigrationHistory
from shared.db.requests import RequestLog
from shared.errors import FailedPrecondition
from shared.metrics import Metrics, backlog_reader, new_metrics
from shared.outbox.drainer import Deliver, OutboxDrainer
from shared.outbox.writer import OutboxWriter
from shared.relocation.exports import ModelExport, SelectionAnswer, SelectionQuery, SiloExporter
from shared.relocation.rpc import relocation_registration
from shared.relocation.writer import ChunkWriter, Importer, Preparer
from shared.rpc.replay import ReplayGuard, replay_guard_for
from shared.rpc.server import RunningServer, create_server
from shared.services.directory import ServiceDirectory
from shared.services.registry import owned_by
from shared.silo_mode import SiloMode


@dataclass
class SiloProcess(abc.ABC):
    """One silo process, built from its settings; nothing connects until first used.

    A silo names what it owns (``owner``), its outbox table (``outbox_model``, ``per_region``),
    its request log table (``request_model``) and migration history, and gives its service
    directory and outbox delivery.
    """

    owner: ClassVar[SiloMode]
    outbox_model: ClassVar[type[Any]]
    per_region: ClassVar[bool]
    migrations: ClassVar[MigrationHistory]
    import_chunk_model: ClassVar[type[Any]]
    request_model: ClassVar[type[Any]]

    settings: Settings
    engine: Engine
    # Set before ``serve`` when several processes serve one port (``silo serve --workers``).
    reuse_port: bool = field(default=False, init=False)

    @property
    @abc.abstractmethod
    def services(self) -> ServiceDirectory:
        """Every registered service as this process reaches it."""

    @abc.abstractmethod
    def delivery(self) -> Deliver:
        """Delivers one of this silo's outbox messages to its destination."""

    @property
    @abc.abstractmethod
    def drainer_name(self) -> str:
        """The name of the drainer's background thread."""

    @abc.abstractmethod
    def importers(self) -> Mapping[str, Importer]:
        """How this silo writes a chunk of each model it owns, by model name."""

    @abc.abstractmethod
    def holdings(self, session: Session) -> str | None:
        """What this silo holds that a full restore must not meet (None when it is empty)."""

    def import_preparers(self) -> Mapping[str, Preparer]:
        """What runs before a chunk's transaction, by model name (none by default)."""
        return {}

    @abc.abstractmethod
    def exports(self) -> Mapping[str, ModelExport]:
        """How this silo exports each model it owns, by model name."""

    @abc.abstractmethod
    def select_for_export(self, session: Session, query: SelectionQuery) -> SelectionAnswer:
        """What this silo holds of an export's selection."""

    @cached_property
    def exporter(self) -> SiloExporter:
        """Pages through this silo's models for exports."""
        return SiloExporter(self.sessions, self.exports(), self.select_for_export)

    @cached_property
    def chunk_writer(self) -> ChunkWriter:
        """Writes import chunks of this silo's models, each in one recorded transaction."""
        return ChunkWriter(
            self.sessions,
            self.outbox,
            self.import_chunk_model,
            self.importers(),
            preparers=self.import_preparers(),
            occupied=self.holdings,
        )

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """Sessions on this silo's database; objects stay readable after commit."""
        return sessionmaker(self.engine, expire_on_commit=False)

    @cached_property
    def outbox(self) -> OutboxWriter:
        """How units of work write this silo's outbox rows."""
        return OutboxWriter(self.outbox_model, per_region=self.per_region)

    @cached_property
    def metrics(self) -> Metrics:
        """This process's Prometheus metrics."""
        metrics = new_metrics()
        metrics.watch_backlog(
            backlog_reader(self.sessions, self.outbox_model, per_region=self.per_region)
        )
        return metrics

    @cached_property
    def drainer(self) -> OutboxDrainer:
        """Delivers this silo's outbox, right after each commit and on a sweep once started."""
        drainer = OutboxDrainer(
            self.sessions, self.outbox_model, self.delivery(), per_region=self.per_region
        )
        drainer.on_delivered = lambda category, lag: self.metrics.observe_delivery(
            category.name, lag
        )
        self.outbox.listen(drainer.schedule)
        return drainer

    def start_drainer(self) -> None:
        """Starts delivering the outbox in the background (after commits and on a sweep)."""
        self.drainer.start(name=self.drainer_name)

    def check_schema(self) -> None:
        """Raises ``FailedPrecondition`` unless the database is migrated to head."""
        problem = self.migrations.outdated_reason(self.engine)
        if problem is not None:
            raise FailedPrecondition(problem)

    @cached_property
    def replay_guard(self) -> ReplayGuard:
        """Remembers accepted call signatures: in Redis when ``cache_redis_url`` is set, so every
        replica refuses a call another one accepted, else in this process."""
        return replay_guard_for(self.settings.cache_redis_url)

    def serve(self, listen: str) -> RunningServer:
        """Starts the gRPC server with every service this silo owns and its import service
        (port 0 picks a free port); with ``reuse_port``, other processes may serve the port."""
        running = create_server(
            listen,
            [
                *(
                    spec.registration(self.services.get(spec.interface))
                    for spec in owned_by(self.owner)
                ),
                relocation_registration(self.chunk_writer, self.exporter),
            ],
            secrets=self.settings.accepted_secrets,
            observe=self.metrics.observe_rpc,
            replay_guard=self.replay_guard,
            tls=self.settings.tls,
            requests=RequestLog(self.sessions, self.request_model),
            reuse_port=self.reuse_port,
        )
        self.metrics.watch_call_pool(running.calls.load)
        return running
