"""The region silo's composition root: engine, outbox drainer, control clients, gRPC server."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from region_silo.cache.database_versions import DatabaseVersionStore
from region_silo.cache.redis_versions import RedisVersionStore
from region_silo.cache.region_cache import RegionCache
from region_silo.cache.service import LocalRegionCacheService
from region_silo.cache.user_client import CachedUserServiceClient
from region_silo.db.models import RegionOutboxRow
from region_silo.migrations import REGION_MIGRATIONS
from region_silo.outbox.delivery import ControlDelivery
from region_silo.services.organization_service import DatabaseOrganizationService
from region_silo.services.slug_replica_service import DatabaseSlugReservationReplicaService
from shared.config import DEFAULT_REGION_PORT, Settings
from shared.db.engine import make_engine
from shared.errors import FailedPrecondition, InvalidArgument
from shared.metrics import Metrics, backlog_reader, new_metrics
from shared.outbox.drainer import OutboxDrainer
from shared.outbox.writer import OutboxWriter
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer, create_server
from shared.services.directory import ServiceDirectory
from shared.services.organization.service import OrganizationService
from shared.services.organization_mapping.service import (
    OrganizationMappingService,
    OrganizationMemberMappingService,
)
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.region_cache.service import RegionCacheService
from shared.services.registry import USER, owned_by
from shared.services.slug_replica.service import SlugReservationReplicaService
from shared.services.user.model import User
from shared.services.user.service import UserService
from shared.silo_mode import SiloMode

_REGION_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")


def region_name(settings: Settings) -> str:
    """The configured region name, checked; ``InvalidArgument`` when missing or malformed."""
    name = settings.region_name or ""
    if not _REGION_NAME.match(name):
        raise InvalidArgument(
            "a region needs --name (or SILO_REGION_NAME): lowercase letters, digits, hyphens",
            field="name",
        )
    return name


@dataclass
class RegionSilo:
    """Everything one region-silo process runs, built from its settings."""

    settings: Settings
    engine: Engine
    name: str

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """Sessions on the region database."""
        return sessionmaker(self.engine, expire_on_commit=False)

    @cached_property
    def metrics(self) -> Metrics:
        """This process's Prometheus metrics."""
        metrics = new_metrics()
        metrics.watch_backlog(backlog_reader(self.sessions, RegionOutboxRow, per_region=False))
        return metrics

    @cached_property
    def cache_versions(self) -> DatabaseVersionStore | RedisVersionStore:
        """Cache key versions, shared by every process of the region: in Redis when
        ``SILO_CACHE_REDIS_URL`` is set, else in the region database."""
        if self.settings.cache_redis_url:
            return RedisVersionStore.from_url(self.settings.cache_redis_url, self.name)
        return DatabaseVersionStore(self.engine)

    @cached_property
    def cache(self) -> RegionCache[User]:
        """The region-local cache of user reads; versions live in the region database."""
        cache: RegionCache[User] = RegionCache(
            self.cache_versions, ttl_seconds=self.settings.cache_ttl
        )
        cache.on_hit = self.metrics.cache_hits.inc
        cache.on_miss = self.metrics.cache_misses.inc
        return cache

    @cached_property
    def services(self) -> ServiceDirectory:
        """Every service as this region reaches it: its own services locally, the control
        silo's over one signed channel, the user reads behind the region cache."""
        return ServiceDirectory(
            self.settings.mode,
            local={
                OrganizationService: lambda: DatabaseOrganizationService(
                    self.sessions,
                    self.outbox,
                    region_name=self.name,
                    users=self.services.get(UserService),
                    provisioning=self.services.get(OrganizationProvisioningService),
                    mappings=self.services.get(OrganizationMappingService),
                ),
                SlugReservationReplicaService: lambda: DatabaseSlugReservationReplicaService(
                    self.sessions
                ),
                RegionCacheService: lambda: LocalRegionCacheService(self.cache),  # type: ignore[arg-type]
            },
            control_channel=lambda: open_channel(
                self.settings.control_address,
                secret=self.settings.signing_secret,
                timeout=self.settings.rpc_timeout,
            ),
            timeout=self.settings.rpc_timeout,
            remote={
                UserService: lambda channel, timeout: CachedUserServiceClient(
                    USER.remote(channel, timeout), self.cache
                )
            },
        )

    @cached_property
    def outbox(self) -> OutboxWriter:
        """How units of work write region outbox rows."""
        return OutboxWriter(RegionOutboxRow, per_region=False)

    @cached_property
    def drainer(self) -> OutboxDrainer:
        """Delivers region outbox rows to the control silo."""
        drainer = OutboxDrainer(
            self.sessions,
            RegionOutboxRow,
            ControlDelivery(
                self.sessions,
                self.name,
                self.services.get(OrganizationMappingService),
                self.services.get(OrganizationMemberMappingService),
            ),
            per_region=False,
        )
        drainer.on_delivered = lambda category, lag: self.metrics.observe_delivery(
            category.name, lag
        )
        self.outbox.listen(drainer.schedule)
        return drainer

    def check_schema(self) -> None:
        """Raises ``FailedPrecondition`` unless the database is migrated to head."""
        problem = REGION_MIGRATIONS.outdated_reason(self.engine)
        if problem is not None:
            raise FailedPrecondition(problem)

    def start_drainer(self) -> None:
        """Starts delivering the outbox in the background (after commits and on a sweep)."""
        self.drainer.start(name=f"outbox-drainer-{self.name}")

    def start_server(self, listen: str | None = None) -> RunningServer:
        """Starts the gRPC server."""
        return create_server(
            listen or self.settings.listen or f"127.0.0.1:{DEFAULT_REGION_PORT}",
            [
                spec.registration(self.services.get(spec.interface))
                for spec in owned_by(SiloMode.REGION)
            ],
            secrets=self.settings.rpc_shared_secrets,
            observe=self.metrics.observe_rpc,
        )

    def close(self) -> None:
        """Stops the drainer and releases connections."""
        self.drainer.stop()
        self.cache_versions.close()
        self.services.close()
        self.engine.dispose()


def build_region_silo(settings: Settings) -> RegionSilo:
    """Builds the region silo for ``settings``; the region name is required."""
    name = region_name(settings)
    engine = make_engine(settings.database_url_for("region"))
    return RegionSilo(settings=settings, engine=engine, name=name)
