"""The region cache service: ClearKeys bumps versions in the region's shared store."""

from __future__ import annotations

from collections.abc import Sequence

from region_silo.cache.region_cache import RegionCache
from shared import validation
from shared.services.region_cache.service import RegionCacheService

MAX_KEY_LENGTH = 255


class LocalRegionCacheService(RegionCacheService):
    """Invalidates keys of this region's cache."""

    def __init__(self, cache: RegionCache[object]) -> None:
        self._cache = cache

    def clear_keys(self, *, keys: Sequence[str]) -> None:
        validation.bounded_list(keys, "keys", required=True)
        for key in keys:
            validation.text(key, "keys", max_length=MAX_KEY_LENGTH)
        self._cache.clear_keys(keys)
