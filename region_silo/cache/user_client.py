"""The user service as a region calls it: the gRPC client with the region cache in front of
``get_user`` and ``get_many_by_id``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from region_silo.cache.region_cache import RegionCache
from shared import validation
from shared.cache.keys import GET_MANY_BY_ID_KEY, GET_USER_KEY
from shared.errors import NotFound
from shared.services.user.model import User
from shared.services.user.service import UserService


class CachedUserServiceClient:
    """Serves the two hot reads from the region cache in front of ``remote`` (the control
    silo's user service); every other call goes straight to ``remote``."""

    def __init__(self, remote: UserService, cache: RegionCache[User]) -> None:
        self._remote = remote
        self._cache = cache

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_remote"], name)

    def get_user(self, *, user_id: int) -> User:
        validation.positive_id(user_id, "user_id")
        key = GET_USER_KEY.format(user_id)
        user = self._cache.get(key, lambda: self._fetch(user_id))
        if user is None:
            raise NotFound(f"no user has id {user_id}", field="user_id")
        return user

    def get_user_uncached(self, *, user_id: int) -> User:
        """The control silo's current user, never a cached copy: for writes that persist user
        fields (a cached copy of a user the region holds no member of is not invalidated when
        the user changes)."""
        validation.positive_id(user_id, "user_id")
        return self._remote.get_user(user_id=user_id)

    def _fetch(self, user_id: int) -> User | None:
        try:
            return self._remote.get_user(user_id=user_id)
        except NotFound:
            return None

    def get_many_by_id(self, *, user_ids: Sequence[int]) -> list[User]:
        ids = validation.bounded_list(user_ids, "user_ids")
        keys = {user_id: GET_MANY_BY_ID_KEY.format(user_id) for user_id in ids}

        def load(missing: Sequence[str]) -> dict[str, User | None]:
            wanted = [user_id for user_id, key in keys.items() if key in set(missing)]
            users = self._remote.get_many_by_id(user_ids=wanted)
            return {keys[user.id]: user for user in users}

        found = self._cache.get_many(list(dict.fromkeys(keys.values())), load)
        return [user for user in (found.get(keys[user_id]) for user_id in ids) if user is not None]


class CurrentUserReads:
    """The user service as a region's writes see it: ``get_user`` reads the control silo's
    current user, since writes copy its fields into rows (a cached copy of a user the region held
    no member of gets no invalidation when the user changes); every other call goes to
    ``users``.

    :param read_current: reads one user, skipping any cache; raises ``NotFound``.
    """

    def __init__(self, users: UserService, read_current: Callable[[int], User]) -> None:
        self._users = users
        self._read_current = read_current

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_users"], name)

    def get_user(self, *, user_id: int) -> User:
        validation.positive_id(user_id, "user_id")
        return self._read_current(user_id)
