"""The delegating client picks implementations by silo mode."""

from __future__ import annotations

import abc

import pytest

from shared.delegation import Delegator
from shared.silo_mode import SiloMode


class Greeter(abc.ABC):
    @abc.abstractmethod
    def greet(self, *, name: str) -> str: ...


class Local(Greeter):
    def greet(self, *, name: str) -> str:
        return f"local {name}"


class Remote(Greeter):
    def greet(self, *, name: str) -> str:
        return f"remote {name}"


def delegator(mode: SiloMode) -> Delegator[Greeter]:
    return Delegator(Greeter, owner=SiloMode.CONTROL, mode=mode, local=Local, remote=Remote)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (SiloMode.MONOLITH, "local x"),
        (SiloMode.CONTROL, "local x"),
        (SiloMode.REGION, "remote x"),
    ],
)
def test_resolves_by_mode(mode: SiloMode, expected: str) -> None:
    assert delegator(mode).proxy().greet(name="x") == expected


def test_builds_lazily_and_once() -> None:
    built: list[str] = []

    def factory() -> Greeter:
        built.append("local")
        return Local()

    handle = Delegator(Greeter, owner=SiloMode.CONTROL, mode=SiloMode.CONTROL, local=factory)
    proxy = handle.proxy()
    assert built == []
    proxy.greet(name="a")
    proxy.greet(name="b")
    assert built == ["local"]


def test_with_replacement_is_scoped() -> None:
    handle = delegator(SiloMode.REGION)
    proxy = handle.proxy()
    with handle.with_replacement(Local()):
        assert proxy.greet(name="x") == "local x"
    assert proxy.greet(name="x") == "remote x"


def test_missing_side_is_explained() -> None:
    handle = Delegator(Greeter, owner=SiloMode.CONTROL, mode=SiloMode.REGION, local=Local)
    with pytest.raises(RuntimeError, match="no remote implementation in region mode"):
        handle.proxy().greet(name="x")


def test_proxy_only_exposes_the_interface() -> None:
    with pytest.raises(AttributeError):
        delegator(SiloMode.CONTROL).proxy().shout  # type: ignore[attr-defined]  # noqa: B018
