"""The control silo's writes: functions of the caller's unit of work that never commit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Keeps every IN list and VALUES list well under SQLite's and PostgreSQL's bound-parameter limits.
BATCH_SIZE = 500


def batches(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``BATCH_SIZE``."""
    for start in range(0, len(values), BATCH_SIZE):
        yield values[start : start + BATCH_SIZE]
