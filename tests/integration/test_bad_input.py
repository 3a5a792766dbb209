"""Bad input through a real server answers INVALID_ARGUMENT (or the domain status) naming the
field, alike on SQLite and PostgreSQL, with a short message and no row written; anything
unexpected answers INTERNAL with an error id the server logs, never the exception's text."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue
from sqlalchemy import func, select

from control_silo.bootstrap import ControlSilo
from control_silo.db.base import ControlBase
from shared import errors
from shared.rpc import signing
from shared.rpc.channel import open_channel
from shared.rpc.server import RunningServer, create_server
from shared.services.auth.service import AuthService
from shared.services.organization_mapping.model import MemberMappingUpdate
from shared.services.organization_mapping.service import OrganizationMemberMappingService
from shared.services.provisioning.service import OrganizationProvisioningService
from shared.services.registry import remote
from shared.services.user.model import NewUser, UserUpdate
from shared.services.user.service import UserService
from shared.services.user_option.service import UserOptionService
from tests.conftest import TEST_SECRET

SECRET = "bad-input-secret"
SERVICE = "silo.test.v1.BadInputService"
LEAK = "SELECT password FROM auth_user WHERE email = 'x' -- pbkdf2_sha256$600000$salt$hash"


def counts(control: ControlSilo) -> dict[str, int]:
    with control.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in ControlBase.metadata.sorted_tables
        }


@pytest.fixture
def channel(control_server: RunningServer) -> Iterator[grpc.Channel]:
    with open_channel(f"127.0.0.1:{control_server.port}", secret=TEST_SECRET) as opened:
        yield opened


def refused(call: Callable[[], object]) -> errors.SiloError:
    with pytest.raises(errors.SiloError) as raised:
        call()
    return raised.value


NUL = "a\x00b"


def test_a_nul_character_is_refused_naming_the_field_and_writes_nothing(
    control_silo: ControlSilo, channel: grpc.Channel
) -> None:
    users = remote(UserService, channel)
    user = users.create_user(user=NewUser(username="nul-owner", email="nul@example.com"))
    options = remote(UserOptionService, channel)
    auth = remote(AuthService, channel)
    before = counts(control_silo)
    calls: list[tuple[str, Callable[[], object]]] = [
        ("email", lambda: users.get_user_by_email(email=f"nul{NUL}@example.com")),
        ("username", lambda: users.create_user(user=NewUser(username=f"x{NUL}"))),
        ("name", lambda: users.create_user(user=NewUser(username="named", name=NUL))),
        ("name", lambda: users.update_user(user_id=user.id, update=UserUpdate(name=NUL))),
        ("role", lambda: users.add_user_role(user_id=user.id, role=NUL)),
        ("key", lambda: options.set_option(user_id=user.id, key=NUL, value_json="1")),
        ("value_json", lambda: options.set_option(user_id=user.id, key="k", value_json='"\x00"')),
        ("provider", lambda: auth.create_auth_provider(organization_id=1, provider=NUL)),
    ]
    for field, call in calls:
        error = refused(call)
        assert isinstance(error, errors.InvalidArgument), (field, error)
        assert error.field == field and "NUL" in error.message, (field, error)
    assert counts(control_silo) == before


def test_strings_longer_than_their_column_are_refused_by_internal_writes_too(
    control_silo: ControlSilo, channel: grpc.Channel
) -> None:
    members = remote(OrganizationMemberMappingService, channel)
    before = counts(control_silo)
    local = control_silo.services.get(OrganizationMemberMappingService)
    for field, role, email in [
        ("role", "r" * 33, "m@example.com"),
        ("email", "member", "m" * 70 + "@example.com"),
    ]:
        update = MemberMappingUpdate(
            organization_id=5,
            organizationmember_id=6,
            user_id=None,
            email=email,
            role=role,
            inviter_id=None,
            version=1,
        )
        error = refused(partial(members.upsert_member, update=update))
        assert isinstance(error, errors.InvalidArgument), error
        assert error.field == field and "longer than" in error.message
        # In process the same check applies.
        with pytest.raises(errors.InvalidArgument):
            local.upsert_member(update=update)
    assert counts(control_silo) == before


@pytest.mark.parametrize("constant", ["NaN", "-Infinity", "Infinity", '{"a": NaN}'])
def test_json_values_are_strict(
    control_silo: ControlSilo, channel: grpc.Channel, constant: str
) -> None:
    users = remote(UserService, channel)
    user = users.create_user(user=NewUser(username="json-owner"))
    options = remote(UserOptionService, channel)
    auth = remote(AuthService, channel)
    before = counts(control_silo)
    error = refused(lambda: options.set_option(user_id=user.id, key="k", value_json=constant))
    assert isinstance(error, errors.InvalidArgument) and error.field == "value_json"
    config = constant if constant.startswith("{") else f'{{"a": {constant}}}'
    error = refused(
        lambda: auth.create_auth_provider(organization_id=1, provider="p", config_json=config)
    )
    assert isinstance(error, errors.InvalidArgument) and error.field == "config_json"
    assert counts(control_silo) == before


def test_a_huge_value_is_quoted_short(control_silo: ControlSilo, channel: grpc.Channel) -> None:
    users = remote(UserService, channel)
    user = users.create_user(user=NewUser(username="role-owner"))
    error = refused(lambda: users.add_user_role(user_id=user.id, role="r" * 20_000))
    assert isinstance(error, errors.NotFound | errors.InvalidArgument), error
    assert error.field == "role"
    assert len(str(error)) <= 300


class Failing(grpc.GenericRpcHandler):
    """Servicers that fail as a bug would: with an exception that is no domain error."""

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[Any, Any] | None:
        strings: dict[str, Any] = {
            "request_deserializer": StringValue.FromString,
            "response_serializer": StringValue.SerializeToString,
        }
        handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {
            f"/{SERVICE}/Crash": grpc.unary_unary_rpc_method_handler(self.crash, **strings),
            f"/{SERVICE}/CrashMidStream": grpc.unary_stream_rpc_method_handler(
                self.crash_mid_stream, **strings
            ),
        }
        return handlers.get(details.method)

    def crash(self, request: StringValue, context: grpc.ServicerContext) -> StringValue:
        raise RuntimeError(LEAK)

    def crash_mid_stream(
        self, request: StringValue, context: grpc.ServicerContext
    ) -> Iterator[StringValue]:
        yield StringValue(value="first")
        raise KeyError(LEAK)


@pytest.fixture
def failing() -> Iterator[RunningServer]:
    def register(server: grpc.Server) -> list[str]:
        server.add_generic_rpc_handlers((Failing(),))
        return [SERVICE]

    running = create_server("127.0.0.1:0", [register], secrets=(SECRET,))
    yield running
    running.stop(0)


def test_an_unexpected_exception_is_internal_with_an_error_id_the_server_logs(
    failing: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="silo.rpc")
    with open_channel(f"127.0.0.1:{failing.port}", secret=SECRET) as opened:
        crash = opened.unary_unary(
            f"/{SERVICE}/Crash",
            request_serializer=StringValue.SerializeToString,
            response_deserializer=StringValue.FromString,
        )
        with pytest.raises(grpc.RpcError) as raised:
            crash(StringValue(value="x"))
        streamed = opened.unary_stream(
            f"/{SERVICE}/CrashMidStream",
            request_serializer=StringValue.SerializeToString,
            response_deserializer=StringValue.FromString,
        )
        received: list[str] = []
        with pytest.raises(grpc.RpcError) as raised_mid_stream:
            for response in streamed(StringValue(value="x")):
                received.append(response.value)
    assert received == ["first"]
    ids: list[str] = []
    for error in (raised.value, raised_mid_stream.value):
        assert isinstance(error, grpc.Call)
        assert error.code() == grpc.StatusCode.INTERNAL
        details = error.details() or ""
        assert "SELECT" not in details and "pbkdf2" not in details
        found = re.search(r"error id ([0-9a-f]{16})", details)
        assert found is not None, details
        ids.append(found.group(1))
    logged = [record for record in caplog.records if record.name == "silo.rpc"]
    for error_id in ids:
        (record,) = [r for r in logged if error_id in r.getMessage()]
        assert record.exc_info is not None and LEAK in str(record.exc_info[1])


def test_a_request_that_does_not_parse_is_invalid_not_internal(failing: RunningServer) -> None:
    body = b"\xff\xff\xff"
    timestamp, nonce = str(int(time.time())), signing.new_nonce()
    metadata = (
        (signing.TIMESTAMP_METADATA_KEY, timestamp),
        (signing.NONCE_METADATA_KEY, nonce),
        (
            signing.AUTHORIZATION_METADATA_KEY,
            signing.authorization_header(SECRET, f"/{SERVICE}/Crash", timestamp, nonce, body),
        ),
    )
    with grpc.insecure_channel(f"127.0.0.1:{failing.port}") as plain:
        raw: grpc.UnaryUnaryMultiCallable[bytes, bytes] = plain.unary_unary(f"/{SERVICE}/Crash")
        with pytest.raises(grpc.RpcError) as raised:
            raw(body, metadata=metadata, timeout=5)
    assert isinstance(raised.value, grpc.Call)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize("slug", ["acme\n", "admin\n", "acme ", "ac\tme", "acme\r\n"])
def test_a_slug_with_a_line_break_or_whitespace_is_refused(
    control_silo: ControlSilo, channel: grpc.Channel, slug: str
) -> None:
    users = remote(UserService, channel)
    owner = users.create_user(user=NewUser(username="slug-owner"))
    provisioning = remote(OrganizationProvisioningService, channel)
    before = counts(control_silo)
    error = refused(
        lambda: provisioning.provision_organization(
            slug=slug, name="Acme", region_name="us", owner_user_id=owner.id
        )
    )
    assert isinstance(error, errors.InvalidArgument) and error.field == "slug", error
    assert counts(control_silo) == before
