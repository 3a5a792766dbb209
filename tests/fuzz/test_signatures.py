"""Signature metadata an attacker controls (timestamps of thousands of digits, malformed nonces,
garbage signatures), on unary and streaming RPCs of both silos: always UNAUTHENTICATED, never
UNKNOWN or INTERNAL."""

from __future__ import annotations

import time
from typing import Any

import grpc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.generated.silo.organization.v1 import organization_pb2
from shared.generated.silo.user.v1 import user_pb2
from shared.rpc import signing
from tests.e2e.conftest import Cluster
from tests.fuzz.profiles import FUZZ
from tests.fuzz.rpcs import CALL_TIMEOUT_SECONDS

pytestmark = pytest.mark.integration

# gRPC refuses metadata beyond 8 KB before any server code runs: the sizes stay under it.
_PRINTABLE = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=80)
_HEX = st.text(alphabet="0123456789abcdef", min_size=0, max_size=80)

timestamps = st.one_of(
    st.integers(0, 5000).map(lambda digits: "9" * digits),
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=True).map(str),
    st.just(str(int(time.time()))),
    _PRINTABLE,
)
nonces = st.one_of(_HEX, _PRINTABLE, st.integers(0, 500).map(lambda n: "a" * n))
authorizations = st.one_of(
    _HEX.map(lambda digest: signing.SIGNATURE_PREFIX + digest),
    _HEX.map(lambda digest: "Rpcsignature rpc0:" + digest),
    st.integers(0, 1000).map(lambda n: signing.SIGNATURE_PREFIX + "0" * n),
    _PRINTABLE,
)
metadata = st.fixed_dictionaries(
    {},
    optional={
        signing.TIMESTAMP_METADATA_KEY: timestamps,
        signing.NONCE_METADATA_KEY: nonces,
        signing.AUTHORIZATION_METADATA_KEY: authorizations,
    },
)

CALLS = [
    ("control", "/silo.user.v1.UserService/GetUser", user_pb2.GetUserRequest(user_id=1)),
    (
        "control",
        "/silo.user.v1.UserService/UpdateUser",
        user_pb2.UpdateUserRequest(user_id=1, is_active=False),
    ),
    (
        "us",
        "/silo.organization.v1.OrganizationService/CreateOrganization",
        organization_pb2.CreateOrganizationRequest(slug="forged", name="Forged", owner_user_id=1),
    ),
]


def _address(cluster: Cluster, silo: str) -> str:
    return cluster.control_address if silo == "control" else cluster.region_addresses[silo]


@pytest.mark.parametrize(("silo", "path", "request_message"), CALLS, ids=[c[1] for c in CALLS])
def test_forged_signatures_are_unauthenticated(
    cluster: Cluster, silo: str, path: str, request_message: Any
) -> None:
    with grpc.insecure_channel(_address(cluster, silo)) as channel:
        unary: grpc.UnaryUnaryMultiCallable[Any, bytes] = channel.unary_unary(
            path, request_serializer=lambda m: m.SerializeToString(), response_deserializer=bytes
        )

        @FUZZ
        @given(headers=metadata)
        def send(headers: dict[str, str]) -> None:
            with pytest.raises(grpc.RpcError) as refused:
                unary(
                    request_message,
                    metadata=tuple(headers.items()),
                    timeout=CALL_TIMEOUT_SECONDS,
                )
            code = refused.value.code()
            assert code is grpc.StatusCode.UNAUTHENTICATED, (
                f"{path} with {headers!r:.300} answered {code.name}: {refused.value.details()}"
            )

        send()


def test_forged_stream_signatures_are_unauthenticated(cluster: Cluster) -> None:
    path = "/silo.relocation.v1.ImportExportService/ImportChunk"
    with grpc.insecure_channel(cluster.control_address) as channel:
        stream = channel.stream_unary(path, request_serializer=bytes, response_deserializer=bytes)

        @FUZZ
        @given(headers=metadata, frames=st.lists(st.binary(max_size=100), max_size=3))
        def send(headers: dict[str, str], frames: list[bytes]) -> None:
            with pytest.raises(grpc.RpcError) as refused:
                stream(iter(frames), metadata=tuple(headers.items()), timeout=CALL_TIMEOUT_SECONDS)
            code = refused.value.code()
            assert code is grpc.StatusCode.UNAUTHENTICATED, (
                f"{path} with {headers!r:.300} answered {code.name}: {refused.value.details()}"
            )

        send()
