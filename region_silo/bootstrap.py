"""The region silo's composition root: engine, outbox drainer, control clients, gRPC server."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, cast

from sqlalchemy.orm import Session

from region_silo.cache.database_versions import DatabaseVersionStore
from region_silo.cache.redis_versions import RedisVersionStore
from region_silo.cache.region_cache import RegionCache
from region_silo.cache.service import LocalRegionCacheService
from region_silo.cache.user_client import CachedUserServiceClient, CurrentUserReads
from region_silo.db.models import RegionImportChunkRow, RegionOutboxRow
from region_silo.db.models.outbox import RegionRequestRow
from region_silo.migrations import REGION_MIGRATIONS
from region_silo.outbox.delivery import ControlDelivery
from region_silo.relocation import (
    CONTROL_TIMEOUT_SECONDS,
    exports,
    region_holdings,
    region_importers,
    region_preparers,
)
from region_silo.relocation.exports import region_exports
from region_silo.services.control_outbox_service import LocalControlOutboxService
from region_silo.services.organization_service import DatabaseOrganizationService
from region_silo.services.slug_replica_service import DatabaseSlugReservationReplicaService
from shared.config import DEFAULT_REGION_PORT, Settings
from shared.db.engine import make_engine
from shared.db.migrations import MigrationHistory
from shared.errors import InvalidArgument
from shared.outbox.drainer import Deliver
from shared.relocation.exports import ModelExport, SelectionAnswer, SelectionQuery
from shared.relocation.rpc import RelocationClient
from shared.relocation.writer import Importer, Preparer
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer
from shared.services.control_outbox.service import ControlOutboxService
from shared.services.directory import ServiceDirectory
from shared.services.organization.service import OrganizationService
from shared.services.organization_mapping.service import (
    OrganizationMappingService,
)
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.region_cache.service import RegionCacheService
from shared.services.region_outbox.service import RegionOutboxService
from shared.services.registry import USER
from shared.services.slug_replica.service import SlugReservationReplicaService
from shared.services.user.model import User
from shared.services.user.service import UserService
from shared.silo_mode import SiloMode
from shared.silo_process import SiloProcess

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
class RegionSilo(SiloProcess):
    """Everything one region-silo process runs, built from its settings."""

    owner: ClassVar[SiloMode] = SiloMode.REGION
    outbox_model: ClassVar[type[Any]] = RegionOutboxRow
    per_region: ClassVar[bool] = False  # every message goes to the control silo
    import_chunk_model: ClassVar[type[Any]] = RegionImportChunkRow
    request_model: ClassVar[type[Any]] = RegionRequestRow
    migrations: ClassVar[MigrationHistory] = REGION_MIGRATIONS

    name: str

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
                    users=cast(
                        UserService,
                        CurrentUserReads(self.services.get(UserService), self._current_user),
                    ),
                    provisioning=self.services.get(OrganizationProvisioningService),
                    mappings=self.services.get(OrganizationMappingService),
                ),
                SlugReservationReplicaService: lambda: DatabaseSlugReservationReplicaService(
                    self.sessions, self.outbox
                ),
                RegionCacheService: lambda: LocalRegionCacheService(self.cache),  # type: ignore[arg-type]
                ControlOutboxService: lambda: LocalControlOutboxService(
                    self.services.get(OrganizationService),
                    self.services.get(RegionCacheService),
                    # The implementation itself: a batch of replica changes is one transaction.
                    self.services.handle(SlugReservationReplicaService).resolve(),
                ),
            },
            control_channel=lambda: open_channel(
                self.settings.control_address,
                secret=self.settings.signing_secret,
                timeout=self.settings.rpc_timeout,
                tls=self.settings.tls,
            ),
            timeout=self.settings.rpc_timeout,
            remote={
                UserService: lambda channel, timeout: CachedUserServiceClient(
                    USER.remote(channel, timeout), self.cache
                )
            },
        )

    def _current_user(self, user_id: int) -> User:
        """The control silo's current user, past the region cache."""
        users = self.services.handle(UserService).resolve()
        if isinstance(users, CachedUserServiceClient):
            return users.get_user_uncached(user_id=user_id)
        return users.get_user(user_id=user_id)

    @property
    def drainer_name(self) -> str:
        """The drainer thread's name, after the region."""
        return f"outbox-drainer-{self.name}"

    def delivery(self) -> Deliver:
        """Region outbox messages go to the control silo's mappings, many per call."""
        return ControlDelivery(self.sessions, self.name, self.services.get(RegionOutboxService))

    def holdings(self, session: Session) -> str | None:
        """Organizations here, which a full restore must not meet."""
        return region_holdings(session)

    def exports(self) -> Mapping[str, ModelExport]:
        """How this silo exports each model it owns."""
        return region_exports()

    def select_for_export(self, session: Session, query: SelectionQuery) -> SelectionAnswer:
        """This silo's part of an export's selection."""
        return exports.select_for_export(session, query)

    def importers(self) -> Mapping[str, Importer]:
        """The region silo's import chunk writers, by model."""
        return region_importers()

    def import_preparers(self) -> Mapping[str, Preparer]:
        """Organizations get their ids and slugs from the control silo first."""
        return region_preparers(
            self.name,
            lambda: RelocationClient(
                self.services.control_channel(), timeout=CONTROL_TIMEOUT_SECONDS
            ),
        )

    def start_server(self, listen: str | None = None) -> RunningServer:
        """Starts the gRPC server with the region's services (port 0 picks a free port)."""
        return self.serve(listen or self.settings.listen or f"127.0.0.1:{DEFAULT_REGION_PORT}")

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
