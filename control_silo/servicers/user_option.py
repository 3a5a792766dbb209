"""Serves ``silo.user.v1.UserOptionService`` from a ``UserOptionService`` implementation."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from shared.generated.silo.user.v1 import user_option_pb2 as pb
from shared.generated.silo.user.v1 import user_option_pb2_grpc
from shared.rpc.server import Registration
from shared.services.user_option.serial import option_to_pb
from shared.services.user_option.service import UserOptionService


class UserOptionServicer(user_option_pb2_grpc.UserOptionServiceServicer):
    """Adapts the wire API to a ``UserOptionService``."""

    def __init__(self, service: UserOptionService) -> None:
        self._service = service

    def GetMany(
        self, request: pb.UserOptionServiceGetManyRequest, context: grpc.ServicerContext
    ) -> pb.UserOptionServiceGetManyResponse:
        options = self._service.get_many(
            user_ids=list(request.user_ids),
            keys=list(request.keys),
            project_id=request.project_id if request.HasField("project_id") else None,
            organization_id=(
                request.organization_id if request.HasField("organization_id") else None
            ),
        )
        return pb.UserOptionServiceGetManyResponse(options=[option_to_pb(o) for o in options])

    def SetOption(
        self, request: pb.SetOptionRequest, context: grpc.ServicerContext
    ) -> pb.SetOptionResponse:
        option = self._service.set_option(
            user_id=request.user_id,
            key=request.key,
            value_json=request.value_json,
            project_id=request.project_id if request.HasField("project_id") else None,
            organization_id=(
                request.organization_id if request.HasField("organization_id") else None
            ),
        )
        return pb.SetOptionResponse(option=option_to_pb(option))

    def DeleteOptions(
        self, request: pb.DeleteOptionsRequest, context: grpc.ServicerContext
    ) -> pb.DeleteOptionsResponse:
        deleted = self._service.delete_options(option_ids=list(request.option_ids))
        return pb.DeleteOptionsResponse(deleted=deleted)


def registration(service: UserOptionService) -> Registration:
    """A server registration for the user option service."""

    def register(server: grpc.Server) -> Sequence[str]:
        user_option_pb2_grpc.add_UserOptionServiceServicer_to_server(
            UserOptionServicer(service), server
        )
        return [pb.DESCRIPTOR.services_by_name["UserOptionService"].full_name]

    return register
