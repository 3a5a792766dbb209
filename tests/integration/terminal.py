"""Drives a command through a pseudo-terminal, the way an operator types at its prompts."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
from dataclasses import dataclass, field


@dataclass
class Session:
    """What the terminal showed and how the command exited."""

    transcript: str
    exit_code: int


@dataclass
class _Screen:
    fd: int
    text: str = ""
    # Where the last prompt waited for was found: later prompts are looked for after it, so a
    # prompt that repeats (a password asked again) is not answered before it reappears.
    cursor: int = field(default=0)

    def read_until(self, needle: str | None, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while needle is None or self.text.find(needle, self.cursor) < 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"never saw {needle!r}; the terminal showed:\n{self.text}")
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:  # the command closed the terminal
                chunk = b""
            if not chunk:
                if needle is None:
                    return
                raise EOFError(f"exited before {needle!r}; the terminal showed:\n{self.text}")
            self.text += chunk.decode(errors="replace")
        if needle is not None:
            self.cursor = self.text.find(needle, self.cursor) + len(needle)


def converse(
    arguments: list[str], replies: list[tuple[str, str]], env: dict[str, str], timeout: float = 30
) -> Session:
    """Runs `silo ARGUMENTS` on a terminal; for each (prompt, reply), waits for the prompt text
    and types the reply and Enter."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the command
        os.execve(sys.executable, [sys.executable, "-m", "shared", *arguments], env)
    screen = _Screen(fd)
    finished = False
    try:
        for prompt, reply in replies:
            screen.read_until(prompt, timeout)
            os.write(fd, f"{reply}\n".encode())
        screen.read_until(None, timeout)
        finished = True
    finally:
        if not finished:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return Session(screen.text, os.waitstatus_to_exitcode(status))
