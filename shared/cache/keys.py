"""The region cache's keys of user data: regions read through them, the control silo clears them."""

from __future__ import annotations

GET_USER_KEY = "user_service.get_user:{}"
GET_MANY_BY_ID_KEY = "user_service.get_many_by_id:{}"


def user_cache_keys(user_id: int) -> list[str]:
    """Every logical cache key that holds data of one user."""
    return [GET_USER_KEY.format(user_id), GET_MANY_BY_ID_KEY.format(user_id)]
