"""The delegating client: one handle per service that resolves, by silo mode, to the local
database-backed implementation or to the gRPC client, so callers never branch on the mode."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar, cast

from shared.silo_mode import SiloMode

Service = TypeVar("Service")


class Delegator(Generic[Service]):
    """Holds how to build a service's local and remote implementations and picks one.

    The chosen implementation is built once, on first use, so nothing is constructed at import
    time. ``with_replacement`` swaps it for the length of a ``with`` block (tests use it).
    """

    def __init__(
        self,
        interface: type[Service],
        *,
        owner: SiloMode,
        mode: SiloMode,
        local: Callable[[], Service] | None = None,
        remote: Callable[[], Service] | None = None,
    ) -> None:
        self.interface = interface
        self.owner = owner
        self.mode = mode
        self._local = local
        self._remote = remote
        self._resolved: Service | None = None
        self._replacements: list[Service] = []
        self._lock = threading.Lock()

    @property
    def is_local(self) -> bool:
        """Whether calls run in this process (the service's own silo, or a monolith)."""
        return self.mode.hosts(self.owner)

    def resolve(self) -> Service:
        """The implementation calls go to now."""
        if self._replacements:
            return self._replacements[-1]
        if self._resolved is None:
            with self._lock:
                if self._resolved is None:
                    self._resolved = self._build()
        return self._resolved

    def _build(self) -> Service:
        factory = self._local if self.is_local else self._remote
        if factory is None:
            side = "local" if self.is_local else "remote"
            raise RuntimeError(
                f"{self.interface.__name__} has no {side} implementation in "
                f"{self.mode.value} mode (it is owned by the {self.owner.value} silo)"
            )
        return factory()

    @contextmanager
    def with_replacement(self, implementation: Service) -> Iterator[Service]:
        """Sends every call to ``implementation`` inside the block."""
        self._replacements.append(implementation)
        try:
            yield implementation
        finally:
            self._replacements.remove(implementation)

    def proxy(self) -> Service:
        """An object with the service's interface that forwards each call to ``resolve()``."""
        return cast(Service, _DelegatingProxy(self))


class _DelegatingProxy:
    __slots__ = ("_delegator",)

    def __init__(self, delegator: Delegator[Any]) -> None:
        self._delegator = delegator

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not hasattr(self._delegator.interface, name):
            raise AttributeError(f"{self._delegator.interface.__name__} has no method {name!r}")
        return getattr(self._delegator.resolve(), name)

    def __repr__(self) -> str:
        target = "local" if self._delegator.is_local else "remote"
        return f"<delegating {self._delegator.interface.__name__} ({target})>"
