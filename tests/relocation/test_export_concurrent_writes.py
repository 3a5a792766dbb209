"""Rows written while an export runs stay out of it: each silo tells, when the export selects,
the last id of every model it exports, and the export reads no row past it. Without that, a
user created after the users were read but before their emails are would leave an email in the
file whose user is not."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from control_silo.bootstrap import ControlSilo
from region_silo.bootstrap import RegionSilo
from shared.relocation.export_run import ExportOptions, ExportRun, ExportSources, select
from shared.relocation.exports import ExportRequest
from shared.relocation.rpc import RelocationClient
from shared.relocation.scopes import ImportScope
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer
from shared.services.user.model import NewUser
from shared.services.user.service import UserService
from tests.conftest import TEST_SECRET


class WritingFirst(RelocationClient):
    """A control silo client that runs ``write`` just before it asks for ``model``'s rows."""

    def __init__(self, address: str, model: str, write: Callable[[], None]) -> None:
        super().__init__(open_channel(address, secret=TEST_SECRET))
        self._model = model
        self._write = write

    def export_model(self, request: ExportRequest) -> Iterator[list[tuple[int, bytes]]]:
        if request.model == self._model:
            self._write()
        return super().export_model(request)


def new_user(users: UserService, name: str) -> int:
    return users.create_user(
        user=NewUser(username=name, email=f"{name}@example.com", name=name, password="pw")
    ).id


@pytest.mark.parametrize("scope", [ImportScope.USER, ImportScope.GLOBAL])
def test_a_user_created_during_an_export_is_left_out_with_its_emails(
    control_silo: ControlSilo,
    region_silo: RegionSilo,
    control_server: RunningServer,
    region_server: RunningServer,
    scope: ImportScope,
) -> None:
    users = control_silo.services.get(UserService)
    before = new_user(users, "before")
    written: list[int] = []
    control = WritingFirst(
        f"127.0.0.1:{control_server.port}",
        "sentry.useremail",
        lambda: written.append(new_user(users, "during")),
    )
    region = RelocationClient(open_channel(f"127.0.0.1:{region_server.port}", secret=TEST_SECRET))
    sources = ExportSources(control=control, regions={"us": region})
    options = ExportOptions(scope)

    records = list(ExportRun(options, sources, select(options, sources)).records())

    assert written, "the export never asked for the emails"
    exported_users = {pk for model, pk, _fields in records if model == "sentry.user"}
    email_owners = {fields["user"] for model, _pk, fields in records if model == "sentry.useremail"}
    assert exported_users == {before}
    assert email_owners == {before}
