"""The user option service over gRPC."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from shared.generated.silo.user.v1 import user_option_pb2 as pb
from shared.generated.silo.user.v1 import user_option_pb2_grpc
from shared.rpc.channel import DEFAULT_TIMEOUT_SECONDS, call
from shared.services.user_option.model import UserOption
from shared.services.user_option.serial import option_from_pb
from shared.services.user_option.service import UserOptionService


class UserOptionServiceClient(UserOptionService):
    """Calls ``silo.user.v1.UserOptionService`` with a deadline on every call."""

    def __init__(self, channel: grpc.Channel, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._stub = user_option_pb2_grpc.UserOptionServiceStub(channel)
        self._timeout = timeout

    def get_many(
        self,
        *,
        user_ids: Sequence[int],
        keys: Sequence[str] = (),
        project_id: int | None = None,
        organization_id: int | None = None,
    ) -> list[UserOption]:
        request = pb.UserOptionServiceGetManyRequest(
            user_ids=user_ids, keys=keys, project_id=project_id, organization_id=organization_id
        )
        response = call(self._stub.GetMany, request, timeout=self._timeout)
        return [option_from_pb(option) for option in response.options]

    def set_option(
        self,
        *,
        user_id: int,
        key: str,
        value_json: str,
        project_id: int | None = None,
        organization_id: int | None = None,
    ) -> UserOption:
        request = pb.SetOptionRequest(
            user_id=user_id,
            key=key,
            value_json=value_json,
            project_id=project_id,
            organization_id=organization_id,
        )
        return option_from_pb(call(self._stub.SetOption, request, timeout=self._timeout).option)

    def delete_options(self, *, option_ids: Sequence[int]) -> int:
        request = pb.DeleteOptionsRequest(option_ids=option_ids)
        return int(call(self._stub.DeleteOptions, request, timeout=self._timeout).deleted)
