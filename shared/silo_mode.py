"""The silo mode a process runs in, which decides where each service is implemented."""

from __future__ import annotations

import enum


class SiloMode(enum.Enum):
    """Which silo a process is: both at once (monolith), the control silo, or a region silo."""

    MONOLITH = "monolith"
    CONTROL = "control"
    REGION = "region"

    @classmethod
    def parse(cls, text: str) -> SiloMode:
        """Reads a mode from its name, ignoring case; raises ``ValueError`` naming the choices."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(mode.value for mode in cls)
            raise ValueError(f"unknown silo mode {text!r}: expected one of {choices}") from None

    def hosts(self, owner: SiloMode) -> bool:
        """Tells whether a service owned by ``owner`` runs in this process (locally)."""
        return self is SiloMode.MONOLITH or self is owner
