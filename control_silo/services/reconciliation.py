"""Releases slug reservations whose region never created the organization (a crash between the
control and the region halves of provisioning)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import OrganizationMappingRow
from control_silo.services.organization_mapping_service import DatabaseOrganizationMappingService
from shared.db.types import utcnow
from shared.errors import NotFound, SiloError
from shared.services.organization.service import OrganizationService
from shared.services.region_directory import RegionDirectory

log = logging.getLogger("silo.provisioning")


@dataclass
class ReconcileResult:
    """What one reconciliation pass did, by organization id."""

    released: list[int] = field(default_factory=list)
    verified: list[int] = field(default_factory=list)
    unreachable: list[int] = field(default_factory=list)


class ProvisioningReconciler:
    """Checks unverified mappings older than ``grace`` against their region."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        regions: RegionDirectory,
        mappings: DatabaseOrganizationMappingService,
        *,
        grace: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._regions = regions
        self._mappings = mappings
        self._grace = grace
        self._clock = clock
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> ReconcileResult:
        """One pass: release what the region does not have, verify what it has."""
        result = ReconcileResult()
        with self._sessions() as session:
            stale = session.execute(
                select(
                    OrganizationMappingRow.organization_id, OrganizationMappingRow.region_name
                ).where(
                    OrganizationMappingRow.verified.is_(False),
                    OrganizationMappingRow.date_created < self._clock() - self._grace,
                )
            ).all()
        for organization_id, region_name in stale:
            try:
                self._regions.service(OrganizationService, region_name).get_organization_by_id(
                    organization_id=organization_id
                )
            except NotFound:
                self._mappings.delete(organization_id=organization_id)
                result.released.append(organization_id)
                log.info("released provisioning of organization %s", organization_id)
                continue
            except SiloError as error:
                result.unreachable.append(organization_id)
                log.warning("cannot reconcile organization %s: %s", organization_id, error)
                continue
            with self._sessions.begin() as session:
                session.execute(
                    update(OrganizationMappingRow)
                    .where(OrganizationMappingRow.organization_id == organization_id)
                    .values(verified=True)
                )
            result.verified.append(organization_id)
        return result

    def start(self, interval_seconds: float = 60.0) -> None:
        """Runs a pass every ``interval_seconds`` in a background thread."""

        def loop() -> None:
            while not self._stopping.wait(interval_seconds):
                try:
                    self.run_once()
                except Exception:
                    log.exception("provisioning reconciliation failed")

        self._thread = threading.Thread(target=loop, name="provisioning-reconciler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stops the background thread."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(5)
