"""How a region silo writes import chunks of the organization models it owns."""

from __future__ import annotations

from collections.abc import Mapping

from shared.relocation.writer import Importer


def region_importers() -> Mapping[str, Importer]:
    """The region's importers, by model name."""
    return {}
