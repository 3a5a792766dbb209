"""The user option service interface."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from shared.services.user_option.model import UserOption


class UserOptionService(abc.ABC):
    """Per-user settings. Every method raises ``shared.errors`` types."""

    @abc.abstractmethod
    def get_many(
        self,
        *,
        user_ids: Sequence[int],
        keys: Sequence[str] = (),
        project_id: int | None = None,
        organization_id: int | None = None,
        key: str | None = None,
        project_ids: Sequence[int] | None = None,
    ) -> list[UserOption]:
        """Returns the options of ``user_ids`` in one scope, ordered by id, as Sentry reads
        them: without a project and an organization, the global options (neither set); with a
        project (``project_id`` or ``project_ids``), only options of that project; with an
        organization, only options of that organization.

        :param user_ids: 1 to 1000 user ids.
        :param keys: only these keys (with ``key``); both empty means every key.
        :param key: only this key (with ``keys``).
        :param project_id: only options of this project.
        :param project_ids: only options of these projects (an empty list matches none).
        :param organization_id: only options of this organization.
        :raises InvalidArgument: no user ids or more than 1000 (field ``user_ids``), more than
            1000 keys or project ids.
        """

    @abc.abstractmethod
    def set_option(
        self,
        *,
        user_id: int,
        key: str,
        value_json: str,
        project_id: int | None = None,
        organization_id: int | None = None,
    ) -> UserOption:
        """Creates or replaces the option (user, key, project, organization).

        :param value_json: the value as JSON text.
        :raises NotFound: no user has ``user_id``.
        :raises InvalidArgument: an empty or over-long key, or text that is not JSON.
        """

    @abc.abstractmethod
    def delete_options(self, *, option_ids: Sequence[int]) -> int:
        """Deletes options by id and returns how many existed; unknown ids are ignored.

        :raises InvalidArgument: more than 1000 ids.
        """
