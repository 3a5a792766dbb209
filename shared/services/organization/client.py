"""The organization service over gRPC (what the control silo and tools call in a region)."""

from __future__ import annotations

import grpc

from shared.generated.silo.organization.v1 import organization_pb2 as pb
from shared.generated.silo.organization.v1 import organization_pb2_grpc as pb_grpc
from shared.rpc.channel import DEFAULT_TIMEOUT_SECONDS, call
from shared.services.organization import serial
from shared.services.organization.model import (
    MemberRole,
    Organization,
    OrganizationMember,
    Team,
)
from shared.services.organization.service import OrganizationService


class OrganizationServiceClient(OrganizationService):
    """Calls ``silo.organization.v1.OrganizationService`` of one region."""

    def __init__(self, channel: grpc.Channel, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._stub = pb_grpc.OrganizationServiceStub(channel)
        self._timeout = timeout

    def create_organization(
        self, *, slug: str, name: str, owner_user_id: int, default_role: MemberRole | None = None
    ) -> Organization:
        request = pb.CreateOrganizationRequest(
            slug=slug,
            name=name,
            owner_user_id=owner_user_id,
            default_role=default_role.value if default_role else "",
        )
        response = call(self._stub.CreateOrganization, request, timeout=self._timeout)
        return serial.organization_from_pb(response.organization)

    def get_organization_by_id(self, *, organization_id: int) -> Organization:
        request = pb.GetOrganizationByIDRequest(organization_id=organization_id)
        response = call(self._stub.GetOrganizationByID, request, timeout=self._timeout)
        return serial.organization_from_pb(response.organization)

    def get_organization_by_slug(self, *, slug: str) -> Organization:
        request = pb.GetOrganizationBySlugRequest(slug=slug)
        response = call(self._stub.GetOrganizationBySlug, request, timeout=self._timeout)
        return serial.organization_from_pb(response.organization)

    def get_default_organization(self) -> Organization | None:
        request = pb.GetDefaultOrganizationRequest()
        response = call(self._stub.GetDefaultOrganization, request, timeout=self._timeout)
        if not response.HasField("organization"):
            return None
        return serial.organization_from_pb(response.organization)

    def update_organization_slug(self, *, organization_id: int, slug: str) -> Organization:
        request = pb.UpdateOrganizationSlugRequest(organization_id=organization_id, slug=slug)
        response = call(self._stub.UpdateOrganizationSlug, request, timeout=self._timeout)
        return serial.organization_from_pb(response.organization)

    def add_organization_member(
        self,
        *,
        organization_id: int,
        role: MemberRole,
        user_id: int | None = None,
        email: str | None = None,
        inviter_id: int | None = None,
    ) -> OrganizationMember:
        request = pb.AddOrganizationMemberRequest(
            organization_id=organization_id,
            user_id=user_id,
            email=email or "",
            role=role.value,
            inviter_id=inviter_id,
        )
        response = call(self._stub.AddOrganizationMember, request, timeout=self._timeout)
        return serial.member_from_pb(response.member)

    def get_single_team(self, *, organization_id: int) -> Team | None:
        request = pb.GetSingleTeamRequest(organization_id=organization_id)
        response = call(self._stub.GetSingleTeam, request, timeout=self._timeout)
        return serial.team_from_pb(response.team) if response.HasField("team") else None

    def add_team_member(self, *, organization_id: int, team_id: int, member_id: int) -> None:
        request = pb.AddTeamMemberRequest(
            organization_id=organization_id, team_id=team_id, member_id=member_id
        )
        call(self._stub.AddTeamMember, request, timeout=self._timeout)

    def list_members(self, *, organization_id: int) -> list[OrganizationMember]:
        request = pb.ListMembersRequest(organization_id=organization_id)
        response = call(self._stub.ListMembers, request, timeout=self._timeout)
        return [serial.member_from_pb(member) for member in response.members]

    def check_membership_by_id(
        self, *, organization_id: int, user_id: int
    ) -> OrganizationMember | None:
        request = pb.CheckMembershipByIDRequest(organization_id=organization_id, user_id=user_id)
        response = call(self._stub.CheckMembershipByID, request, timeout=self._timeout)
        return serial.member_from_pb(response.member) if response.HasField("member") else None

    def check_membership_by_email(
        self, *, organization_id: int, email: str
    ) -> OrganizationMember | None:
        request = pb.CheckMembershipByEmailRequest(organization_id=organization_id, email=email)
        response = call(self._stub.CheckMembershipByEmail, request, timeout=self._timeout)
        return serial.member_from_pb(response.member) if response.HasField("member") else None

    def delete_organization_member(self, *, organization_id: int, member_id: int) -> None:
        request = pb.DeleteOrganizationMemberRequest(
            organization_id=organization_id, member_id=member_id
        )
        call(self._stub.DeleteOrganizationMember, request, timeout=self._timeout)

    def update_region_user(self, *, user_id: int, is_active: bool, email: str) -> int:
        request = pb.UpdateRegionUserRequest(user_id=user_id, is_active=is_active, email=email)
        return int(call(self._stub.UpdateRegionUser, request, timeout=self._timeout).updated)

    def remove_user(self, *, user_id: int) -> int:
        request = pb.RemoveUserRequest(user_id=user_id)
        return int(call(self._stub.RemoveUser, request, timeout=self._timeout).removed)
