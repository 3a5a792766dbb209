"""The user service backed by the control database."""

from __future__ import annotations

from control_silo.services.user_lookups import UserLookups
from control_silo.services.user_profiles import UserProfiles
from control_silo.services.user_writes import UserWrites


class DatabaseUserService(UserLookups, UserProfiles, UserWrites):
    """Reads and writes users in the control database, one transaction per call."""
