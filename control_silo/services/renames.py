"""The second half of a rename: the region takes the temporary alias's slug, then the primary
reservation swaps to it. Run right after the alias is reserved and again by every delivery of the
alias's outbox message, so a rename cut off by a failure finishes once the region answers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from control_silo.db.models import OrganizationSlugReservationRow
from control_silo.db.models.organization import TEMPORARY_RENAME_ALIAS
from control_silo.writes.reservations import finish_rename
from shared.db.unit_of_work import UnitOfWork
from shared.outbox.writer import OutboxWriter
from shared.services.region_directory import RegionDirectory
from shared.services.slug_replica.service import SlugReservation, SlugReservationReplicaService


def rename_lock(organization_id: int) -> str:
    """The critical section of one organization's renames."""
    return f"organization-rename:{organization_id}"


class RenameFinisher:
    """Finishes renames in flight, one organization at a time."""

    def __init__(
        self, sessions: sessionmaker[Session], regions: RegionDirectory, outbox: OutboxWriter | None
    ) -> None:
        self._sessions = sessions
        self._regions = regions
        self._outbox = outbox

    def finish(self, organization_id: int) -> bool | None:
        """Asks the region to take the organization's temporary rename alias and swaps the
        primary reservation when it did (drops the alias when it refused); returns whether the
        region took it, or None when no rename was in flight.

        The alias is read and the region asked while holding the organization's rename lock, so
        a late or repeated finish can never hand the region a slug a newer rename replaced.

        :raises SiloError: the region could not be asked; the alias stays for the next try.
        """
        with UnitOfWork(
            self._sessions, outbox=self._outbox, lock=rename_lock(organization_id)
        ) as uow:
            alias = uow.session.scalars(
                select(OrganizationSlugReservationRow).where(
                    OrganizationSlugReservationRow.organization_id == organization_id,
                    OrganizationSlugReservationRow.reservation_type == TEMPORARY_RENAME_ALIAS,
                )
            ).first()
            if alias is None:
                return None
            replica = self._regions.service(SlugReservationReplicaService, alias.region_name)
            taken = replica.rename_from_reservation(
                reservation=SlugReservation(
                    id=alias.id,
                    slug=alias.slug,
                    organization_id=alias.organization_id,
                    user_id=alias.user_id,
                    region_name=alias.region_name,
                    reservation_type=alias.reservation_type,
                )
            )
            finish_rename(uow, alias, taken)
            uow.commit()
        return taken
