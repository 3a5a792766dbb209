"""Serves ``silo.organization.v1.OrganizationService`` from an ``OrganizationService``."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from shared.generated.silo.organization.v1 import organization_pb2 as pb
from shared.generated.silo.organization.v1 import organization_pb2_grpc as pb_grpc
from shared.rpc.server import Registration
from shared.services.organization import serial
from shared.services.organization.service import OrganizationService


class OrganizationServicer(pb_grpc.OrganizationServiceServicer):
    """Adapts the wire API to an ``OrganizationService``."""

    def __init__(self, service: OrganizationService) -> None:
        self._service = service

    def CreateOrganization(
        self, request: pb.CreateOrganizationRequest, context: grpc.ServicerContext
    ) -> pb.CreateOrganizationResponse:
        organization = self._service.create_organization(
            slug=request.slug,
            name=request.name,
            owner_user_id=request.owner_user_id,
            default_role=(
                serial.role_from_text(request.default_role, "default_role")
                if request.default_role
                else None
            ),
        )
        return pb.CreateOrganizationResponse(organization=serial.organization_to_pb(organization))

    def GetOrganizationByID(
        self, request: pb.GetOrganizationByIDRequest, context: grpc.ServicerContext
    ) -> pb.GetOrganizationByIDResponse:
        organization = self._service.get_organization_by_id(organization_id=request.organization_id)
        return pb.GetOrganizationByIDResponse(organization=serial.organization_to_pb(organization))

    def GetOrganizationBySlug(
        self, request: pb.GetOrganizationBySlugRequest, context: grpc.ServicerContext
    ) -> pb.GetOrganizationBySlugResponse:
        organization = self._service.get_organization_by_slug(slug=request.slug)
        return pb.GetOrganizationBySlugResponse(
            organization=serial.organization_to_pb(organization)
        )

    def GetDefaultOrganization(
        self, request: pb.GetDefaultOrganizationRequest, context: grpc.ServicerContext
    ) -> pb.GetDefaultOrganizationResponse:
        organization = self._service.get_default_organization()
        return pb.GetDefaultOrganizationResponse(
            organization=serial.organization_to_pb(organization) if organization else None
        )

    def UpdateOrganizationSlug(
        self, request: pb.UpdateOrganizationSlugRequest, context: grpc.ServicerContext
    ) -> pb.UpdateOrganizationSlugResponse:
        organization = self._service.update_organization_slug(
            organization_id=request.organization_id, slug=request.slug
        )
        return pb.UpdateOrganizationSlugResponse(
            organization=serial.organization_to_pb(organization)
        )

    def AddOrganizationMember(
        self, request: pb.AddOrganizationMemberRequest, context: grpc.ServicerContext
    ) -> pb.AddOrganizationMemberResponse:
        member = self._service.add_organization_member(
            organization_id=request.organization_id,
            role=serial.role_from_text(request.role),
            user_id=request.user_id if request.HasField("user_id") else None,
            email=request.email or None,
            inviter_id=request.inviter_id if request.HasField("inviter_id") else None,
        )
        return pb.AddOrganizationMemberResponse(member=serial.member_to_pb(member))

    def GetSingleTeam(
        self, request: pb.GetSingleTeamRequest, context: grpc.ServicerContext
    ) -> pb.GetSingleTeamResponse:
        team = self._service.get_single_team(organization_id=request.organization_id)
        return pb.GetSingleTeamResponse(team=serial.team_to_pb(team) if team else None)

    def AddTeamMember(
        self, request: pb.AddTeamMemberRequest, context: grpc.ServicerContext
    ) -> pb.AddTeamMemberResponse:
        self._service.add_team_member(
            organization_id=request.organization_id,
            team_id=request.team_id,
            member_id=request.member_id,
        )
        return pb.AddTeamMemberResponse()

    def ListMembers(
        self, request: pb.ListMembersRequest, context: grpc.ServicerContext
    ) -> pb.ListMembersResponse:
        members = self._service.list_members(organization_id=request.organization_id)
        return pb.ListMembersResponse(members=[serial.member_to_pb(m) for m in members])

    def CheckMembershipByID(
        self, request: pb.CheckMembershipByIDRequest, context: grpc.ServicerContext
    ) -> pb.CheckMembershipByIDResponse:
        member = self._service.check_membership_by_id(
            organization_id=request.organization_id, user_id=request.user_id
        )
        return pb.CheckMembershipByIDResponse(
            member=serial.member_to_pb(member) if member else None
        )

    def CheckMembershipByEmail(
        self, request: pb.CheckMembershipByEmailRequest, context: grpc.ServicerContext
    ) -> pb.CheckMembershipByEmailResponse:
        member = self._service.check_membership_by_email(
            organization_id=request.organization_id, email=request.email
        )
        return pb.CheckMembershipByEmailResponse(
            member=serial.member_to_pb(member) if member else None
        )

    def DeleteOrganizationMember(
        self, request: pb.DeleteOrganizationMemberRequest, context: grpc.ServicerContext
    ) -> pb.DeleteOrganizationMemberResponse:
        self._service.delete_organization_member(
            organization_id=request.organization_id, member_id=request.member_id
        )
        return pb.DeleteOrganizationMemberResponse()

    def UpdateRegionUser(
        self, request: pb.UpdateRegionUserRequest, context: grpc.ServicerContext
    ) -> pb.UpdateRegionUserResponse:
        updated = self._service.update_region_user(
            user_id=request.user_id, is_active=request.is_active, email=request.email
        )
        return pb.UpdateRegionUserResponse(updated=updated)

    def RemoveUser(
        self, request: pb.RemoveUserRequest, context: grpc.ServicerContext
    ) -> pb.RemoveUserResponse:
        return pb.RemoveUserResponse(removed=self._service.remove_user(user_id=request.user_id))


def registration(service: OrganizationService) -> Registration:
    """A server registration for the organization service."""

    def register(server: grpc.Server) -> Sequence[str]:
        pb_grpc.add_OrganizationServiceServicer_to_server(OrganizationServicer(service), server)
        return [pb.DESCRIPTOR.services_by_name["OrganizationService"].full_name]

    return register
