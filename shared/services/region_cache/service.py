"""The region cache service interface (owned by each region silo)."""

from __future__ import annotations

import abc
from collections.abc import Sequence


class RegionCacheService(abc.ABC):
    """Invalidates cached reads in one region."""

    @abc.abstractmethod
    def clear_keys(self, *, keys: Sequence[str]) -> None:
        """Bumps each logical key's version (values are never deleted, only hidden).

        :raises InvalidArgument: no keys, more than 1000, or an empty or over-long key.
        """
