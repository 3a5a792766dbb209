"""The slug reservation replica interface (owned by each region silo)."""

from __future__ import annotations

import abc
from dataclasses import dataclass


@dataclass(frozen=True)
class SlugReservation:
    """A reservation as the control silo holds it."""

    id: int
    slug: str
    organization_id: int
    user_id: int | None
    region_name: str
    reservation_type: int


class SlugReservationReplicaService(abc.ABC):
    """Applies the control silo's reservation changes to a region's replica."""

    @abc.abstractmethod
    def upsert_replica(self, *, reservation: SlugReservation) -> None:
        """Records the current state of a reservation (idempotent)."""

    @abc.abstractmethod
    def delete_replica(self, *, reservation_id: int) -> None:
        """Forgets a reservation (idempotent)."""

    @abc.abstractmethod
    def rename_from_reservation(self, *, reservation: SlugReservation) -> bool:
        """Gives the reservation's organization the reservation's slug (a temporary rename alias
        the control silo holds), telling the control silo through the outbox; True when the
        organization holds the slug now (also when it held it already), False when the region
        holds no such organization or another organization here holds the slug."""
