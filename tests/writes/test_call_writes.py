"""Units of work inside an RPC (``shared.db.requests``): a call's writing units of work run one
after another, and one opened inside another of the same call is refused at once rather than
left waiting on the first's request key or write lock."""

from __future__ import annotations

import pytest

from control_silo.bootstrap import ControlSilo
from control_silo.db.models.outbox import ControlRequestRow
from shared.db.requests import CallWrites, RequestLog, running_call
from shared.db.unit_of_work import UnitOfWork
from tests.writes.conftest import Counts, NewUnitOfWork


def _call(control_silo: ControlSilo) -> CallWrites:
    return CallWrites(
        RequestLog(control_silo.sessions, ControlRequestRow),
        "nesting-call",
        "/test/Write",
        body=lambda: b"body",
        abandoned=lambda: False,
    )


def test_a_writing_unit_of_work_inside_another_of_the_same_call_is_refused_at_once(
    control_silo: ControlSilo, control_uow: NewUnitOfWork, control_counts: Counts
) -> None:
    before = control_counts()

    with (
        running_call(_call(control_silo)),
        control_uow(),
        pytest.raises(RuntimeError, match="inside another one of the same call"),
        control_uow(),
    ):
        pass

    assert control_counts() == before


def test_units_of_work_of_a_call_one_after_another_or_read_only_inside_are_fine(
    control_silo: ControlSilo, control_uow: NewUnitOfWork, control_counts: Counts
) -> None:
    before = control_counts()

    with running_call(_call(control_silo)):
        with control_uow():
            pass  # left without committing: the key it held goes with it
        with control_uow() as uow:
            with UnitOfWork(control_silo.sessions, read_only=True):
                pass
            uow.commit()
            with control_uow() as later:  # the call's key is committed: nothing to wait on
                later.commit()

    assert control_counts()["controlrequest"] == before["controlrequest"] + 1
