"""The control silo's composition root: engine, sessions, services and the gRPC server."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from control_silo.db.models import ControlImportChunkRow, ControlOutboxRow
from control_silo.db.models.outbox import ControlRequestRow
from control_silo.migrations import CONTROL_MIGRATIONS
from control_silo.outbox.delivery import RegionDelivery
from control_silo.relocation import control_holdings, control_importers, exports
from control_silo.relocation.exports import control_exports
from control_silo.services.auth_service import DatabaseAuthService
from control_silo.services.organization_mapping_service import (
    DatabaseOrganizationMappingService,
    DatabaseOrganizationMemberMappingService,
)
from control_silo.services.provisioning_service import DatabaseProvisioningService
from control_silo.services.reconciliation import ProvisioningReconciler
from control_silo.services.region_outbox_service import DatabaseRegionOutboxService
from control_silo.services.user_option_service import DatabaseUserOptionService
from control_silo.services.user_service import DatabaseUserService
from shared.config import DEFAULT_CONTROL_LISTEN, Settings
from shared.db.engine import make_engine
from shared.db.migrations import MigrationHistory
from shared.outbox.drainer import Deliver
from shared.relocation.exports import ModelExport, SelectionAnswer, SelectionQuery
from shared.relocation.writer import Importer
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer
from shared.services.auth.service import AuthService
from shared.services.directory import ServiceDirectory
from shared.services.organization_mapping.service import (
    OrganizationMappingService,
    OrganizationMemberMappingService,
)
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.region_directory import RegionDirectory
from shared.services.region_outbox.service import RegionOutboxService
from shared.services.user.service import UserService
from shared.services.user_option.service import UserOptionService
from shared.silo_mode import SiloMode
from shared.silo_process import SiloProcess


@dataclass
class ControlSilo(SiloProcess):
    """Everything one control-silo process runs, built from its settings."""

    owner: ClassVar[SiloMode] = SiloMode.CONTROL
    outbox_model: ClassVar[type[Any]] = ControlOutboxRow
    per_region: ClassVar[bool] = True  # one outbox row per destination region
    import_chunk_model: ClassVar[type[Any]] = ControlImportChunkRow
    request_model: ClassVar[type[Any]] = ControlRequestRow
    migrations: ClassVar[MigrationHistory] = CONTROL_MIGRATIONS
    drainer_name = "outbox-drainer-control"

    @cached_property
    def regions(self) -> RegionDirectory:
        """The configured regions, with signed clients to each."""
        secret = self.settings.signing_secret
        return RegionDirectory(
            self.settings.regions,
            lambda address: open_channel(
                address, secret=secret, timeout=self.settings.rpc_timeout, tls=self.settings.tls
            ),
            self.settings.rpc_timeout,
        )

    def delivery(self) -> Deliver:
        """Control outbox messages go to the regions."""
        return RegionDelivery(self.sessions, self.regions, self.outbox)

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
                RegionOutboxService: lambda: DatabaseRegionOutboxService(
                    self.sessions, self.regions, self.outbox
                ),
            },
        )

    @cached_property
    def reconciler(self) -> ProvisioningReconciler:
        """Releases reservations whose region never created the organization."""
        return ProvisioningReconciler(self.sessions, self.regions, self.mapping_service)

    def holdings(self, session: Session) -> str | None:
        """Users here, which a full restore must not meet."""
        return control_holdings(session)

    def exports(self) -> Mapping[str, ModelExport]:
        """How this silo exports each model it owns."""
        return control_exports()

    def select_for_export(self, session: Session, query: SelectionQuery) -> SelectionAnswer:
        """This silo's part of an export's selection."""
        return exports.select_for_export(session, query)

    def importers(self) -> Mapping[str, Importer]:
        """The control silo's import chunk writers, by model."""
        return control_importers()

    def start_server(self, listen: str | None = None) -> RunningServer:
        """Starts the gRPC server with every control service (port 0 picks a free port)."""
        return self.serve(listen or self.settings.listen or DEFAULT_CONTROL_LISTEN)

    def close(self) -> None:
        """Stops background work and releases connections."""
        self.drainer.stop()
        self.reconciler.stop()
        self.regions.close()
        self.engine.dispose()


def build_control_silo(settings: Settings) -> ControlSilo:
    """Builds the control silo for ``settings`` (nothing connects until first used)."""
    return ControlSilo(settings=settings, engine=make_engine(settings.database_url_for("control")))
