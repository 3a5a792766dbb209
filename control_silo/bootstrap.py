"""The control silo's composition root: engine, sessions, services and the gRPC server."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import ControlOutboxRow
from control_silo.migrations import CONTROL_MIGRATIONS
from control_silo.outbox.delivery import RegionDelivery
from control_silo.services.auth_service import DatabaseAuthService
from control_silo.services.organization_mapping_service import (
    DatabaseOrganizationMappingService,
    DatabaseOrganizationMemberMappingService,
)
from control_silo.services.provisioning_service import DatabaseProvisioningService
from control_silo.services.reconciliation import ProvisioningReconciler
from control_silo.services.user_option_service import DatabaseUserOptionService
from control_silo.services.user_service import DatabaseUserService
from shared.config import DEFAULT_CONTROL_LISTEN, Settings
from shared.db.engine import make_engine
from shared.errors import FailedPrecondition
from shared.metrics import Metrics, backlog_reader, new_metrics
from shared.outbox.drainer import OutboxDrainer
from shared.outbox.writer import OutboxWriter
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer, create_server
from shared.services.auth.service import AuthService
from shared.services.directory import ServiceDirectory
from shared.services.organization_mapping.service import (
    OrganizationMappingService,
    OrganizationMemberMappingService,
)
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.region_directory import RegionDirectory
from shared.services.registry import owned_by
from shared.services.user.service import UserService
from shared.services.user_option.service import UserOptionService
from shared.silo_mode import SiloMode


@dataclass
class ControlSilo:
    """Everything one control-silo process runs, built from its settings."""

    settings: Settings
    engine: Engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """Sessions on the control database; objects stay readable after commit."""
        return sessionmaker(self.engine, expire_on_commit=False)

    @cached_property
    def regions(self) -> RegionDirectory:
        """The configured regions, with signed clients to each."""
        secret = self.settings.signing_secret
        return RegionDirectory(
            self.settings.regions,
            lambda address: open_channel(address, secret=secret, timeout=self.settings.rpc_timeout),
            self.settings.rpc_timeout,
        )

    @cached_property
    def outbox(self) -> OutboxWriter:
        """How units of work write control outbox rows (one per destination region)."""
        return OutboxWriter(ControlOutboxRow, per_region=True)

    @cached_property
    def metrics(self) -> Metrics:
        """This process's Prometheus metrics."""
        metrics = new_metrics()
        metrics.watch_backlog(backlog_reader(self.sessions, ControlOutboxRow, per_region=True))
        return metrics

    @cached_property
    def drainer(self) -> OutboxDrainer:
        """Delivers control outbox rows to the regions."""
        drainer = OutboxDrainer(
            self.sessions,
            ControlOutboxRow,
            RegionDelivery(self.sessions, self.regions),
            per_region=True,
        )
        drainer.on_delivered = lambda category, lag: self.metrics.observe_delivery(
            category.name, lag
        )
        self.outbox.listen(drainer.schedule)
        return drainer

    def start_drainer(self) -> None:
        """Starts delivering the outbox in the background (after commits and on a sweep)."""
        self.drainer.start(name="outbox-drainer-control")

    @cached_property
    def mapping_service(self) -> DatabaseOrganizationMappingService:
        """The organization mapping implementation (also used by reconciliation)."""
        return DatabaseOrganizationMappingService(self.sessions, self.regions, self.outbox)

    @cached_property
    def services(self) -> ServiceDirectory:
        """The delegating handles, resolved to the local implementations."""
        return ServiceDirectory(
            self.settings.mode,
            local={
                UserService: lambda: DatabaseUserService(
                    self.engine,
                    self.sessions,
                    outbox=self.outbox,
                    password_iterations=self.settings.password_iterations,
                ),
                UserOptionService: lambda: DatabaseUserOptionService(self.sessions),
                AuthService: lambda: DatabaseAuthService(self.sessions, self.outbox),
                OrganizationMappingService: lambda: self.mapping_service,
                OrganizationMemberMappingService: lambda: DatabaseOrganizationMemberMappingService(
                    self.sessions
                ),
                OrganizationProvisioningService: lambda: DatabaseProvisioningService(
                    self.sessions, self.regions, self.outbox
                ),
            },
        )

    @cached_property
    def reconciler(self) -> ProvisioningReconciler:
        """Releases reservations whose region never created the organization."""
        return ProvisioningReconciler(self.sessions, self.regions, self.mapping_service)

    def check_schema(self) -> None:
        """Raises ``FailedPrecondition`` unless the database is migrated to head."""
        problem = CONTROL_MIGRATIONS.outdated_reason(self.engine)
        if problem is not None:
            raise FailedPrecondition(problem)

    def start_server(self, listen: str | None = None) -> RunningServer:
        """Starts the gRPC server with every control service (port 0 picks a free port)."""
        return create_server(
            listen or self.settings.listen or DEFAULT_CONTROL_LISTEN,
            [
                spec.registration(self.services.get(spec.interface))
                for spec in owned_by(SiloMode.CONTROL)
            ],
            secrets=self.settings.rpc_shared_secrets,
            observe=self.metrics.observe_rpc,
        )

    def close(self) -> None:
        """Stops background work and releases connections."""
        self.drainer.stop()
        self.reconciler.stop()
        self.regions.close()
        self.engine.dispose()


def build_control_silo(settings: Settings) -> ControlSilo:
    """Builds the control silo for ``settings`` (nothing connects until first used)."""
    return ControlSilo(settings=settings, engine=make_engine(settings.database_url_for("control")))
