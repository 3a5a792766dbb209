"""Each silo's local implementation of every service it owns takes exactly the interface's
parameters, so local and remote calls accept the same arguments."""

from __future__ import annotations

import inspect
from typing import Any

from control_silo.bootstrap import ControlSilo
from region_silo.bootstrap import RegionSilo
from shared.services.registry import SERVICES, ServiceSpec, owned_by
from shared.silo_mode import SiloMode


def _implementations(
    control_silo: ControlSilo, region_silo: RegionSilo
) -> list[tuple[ServiceSpec[Any], object]]:
    found: list[tuple[ServiceSpec[Any], object]] = []
    for owner, directory in (
        (SiloMode.CONTROL, control_silo.services),
        (SiloMode.REGION, region_silo.services),
    ):
        for spec in owned_by(owner):
            found.append((spec, directory.handle(spec.interface).resolve()))
    return found


def test_every_service_has_one_owner_and_one_local_implementation(
    control_silo: ControlSilo, region_silo: RegionSilo
) -> None:
    implementations = _implementations(control_silo, region_silo)
    assert [spec for spec, _ in implementations] == sorted(
        SERVICES, key=lambda spec: [SiloMode.CONTROL, SiloMode.REGION].index(spec.owner)
    )
    for spec, implementation in implementations:
        assert isinstance(implementation, spec.interface)


def test_implementations_take_the_interface_parameters(
    control_silo: ControlSilo, region_silo: RegionSilo
) -> None:
    for spec, implementation in _implementations(control_silo, region_silo):
        for name in spec.binding.methods:
            declared = inspect.signature(getattr(spec.interface, name))
            implemented = inspect.signature(getattr(type(implementation), name))
            assert [(p.name, p.kind, p.default) for p in implemented.parameters.values()] == [
                (p.name, p.kind, p.default) for p in declared.parameters.values()
            ], f"{type(implementation).__name__}.{name}"
