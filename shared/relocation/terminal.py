"""What the relocation commands share on the command line: filter lists and progress."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


def names_from(values: tuple[str, ...], file: Path | None, option: str) -> frozenset[str] | None:
    """The names of a repeatable, comma-separated option plus those of a file (one per line);
    None when neither was given. A filter given with no name in it (an empty value, an empty
    file: often an unset shell variable) is a usage error, never a filter that keeps nothing."""
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    if file is not None:
        names.extend(line.strip() for line in file.read_text().splitlines() if line.strip())
    if not values and file is None:
        return None
    if not names:
        raise click.BadParameter("names nothing", param_hint=f"'{option}'")
    return frozenset(names)


class Reporter:
    """Progress: a bar on a terminal (rows done, of how many when known, rows/s, current model),
    a line every few seconds otherwise, nothing with --silent."""

    def __init__(self, silent: bool) -> None:
        self.silent = silent
        self.rows = 0
        self.started = time.monotonic()
        self.last_line = 0.0
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def counted(self, total: int | None) -> None:
        """Starts the bar on a terminal, with the total when it is known."""
        if self.silent or not sys.stderr.isatty():
            return
        from rich.console import Console  # noqa: PLC0415 - only a terminal needs it
        from rich.progress import (  # noqa: PLC0415
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description:<32}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>9} rows/s"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self.task = self.bar.add_task("starting", total=total, rate="-")
        self.bar.start()

    def __call__(self, model: str, rows: int) -> None:
        self.rows += rows
        now = time.monotonic()
        rate = self.rows / max(now - self.started, 1e-6)
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, advance=rows, description=model, rate=f"{rate:.0f}")
        elif not self.silent and now - self.last_line >= 2.0:
            self.last_line = now
            click.echo(f"{self.rows} rows ({rate:.0f} rows/s), now {model}", err=True)

    def done(self) -> None:
        """Stops the bar."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
