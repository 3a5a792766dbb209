"""Conversions between user service values and their protobuf messages."""

from __future__ import annotations

from shared.generated.silo.user.v1 import user_pb2 as pb
from shared.rpc.timestamps import from_timestamp, to_timestamp
from shared.services.user.model import (
    AvatarType,
    OrganizationSummary,
    User,
    UserEmail,
    UserFilter,
    UserIdEmail,
    VerifyUserEmailResult,
)

# Wire enum numbers start at 1 (0 is UNSPECIFIED); stored values start at 0.
_AVATAR_TO_PB = {
    AvatarType.LETTER_AVATAR: pb.AVATAR_TYPE_LETTER_AVATAR,
    AvatarType.UPLOAD: pb.AVATAR_TYPE_UPLOAD,
    AvatarType.GRAVATAR: pb.AVATAR_TYPE_GRAVATAR,
}
_AVATAR_FROM_PB: dict[int, AvatarType] = {int(n): avatar for avatar, n in _AVATAR_TO_PB.items()}


def avatar_to_pb(avatar: AvatarType) -> pb.AvatarType:
    """The wire enum value of an avatar type."""
    return _AVATAR_TO_PB[avatar]


def avatar_from_pb(number: int) -> AvatarType | None:
    """The avatar type of a wire enum value; None for UNSPECIFIED or an unknown number."""
    return _AVATAR_FROM_PB.get(int(number))


def user_to_pb(user: User) -> pb.User:
    """The wire form of a user."""
    message = pb.User(
        id=user.id,
        username=user.username,
        email=user.email,
        name=user.name,
        is_active=user.is_active,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        is_managed=user.is_managed,
        is_unclaimed=user.is_unclaimed,
        is_password_expired=user.is_password_expired,
        password_usable=user.password_usable,
        date_joined=to_timestamp(user.date_joined),
        flags=user.flags,
        avatar_type=avatar_to_pb(user.avatar_type),
        avatar_url=user.avatar_url or "",
        emails=sorted(user.emails),
        useremails=[
            pb.UserEmail(email=e.email, is_verified=e.is_verified) for e in user.useremails
        ],
        permissions=sorted(user.permissions),
        roles=sorted(user.roles),
    )
    if user.last_login is not None:
        message.last_login.CopyFrom(to_timestamp(user.last_login))
    if user.last_active is not None:
        message.last_active.CopyFrom(to_timestamp(user.last_active))
    return message


def user_from_pb(message: pb.User) -> User:
    """The user a wire message describes."""
    return User(
        id=message.id,
        username=message.username,
        email=message.email,
        name=message.name,
        is_active=message.is_active,
        is_staff=message.is_staff,
        is_superuser=message.is_superuser,
        is_managed=message.is_managed,
        is_unclaimed=message.is_unclaimed,
        is_password_expired=message.is_password_expired,
        password_usable=message.password_usable,
        date_joined=from_timestamp(message.date_joined),
        last_login=from_timestamp(message.last_login) if message.HasField("last_login") else None,
        last_active=(
            from_timestamp(message.last_active) if message.HasField("last_active") else None
        ),
        flags=message.flags,
        avatar_type=avatar_from_pb(message.avatar_type) or AvatarType.LETTER_AVATAR,
        avatar_url=message.avatar_url or None,
        emails=frozenset(message.emails),
        useremails=tuple(UserEmail(e.email, e.is_verified) for e in message.useremails),
        permissions=frozenset(message.permissions),
        roles=frozenset(message.roles),
    )


def filter_to_pb(user_filter: UserFilter) -> pb.UserFilter:
    """The wire form of a user filter."""
    message = pb.UserFilter(user_ids=user_filter.user_ids, emails=user_filter.emails)
    if user_filter.organization_id is not None:
        message.organization_id = user_filter.organization_id
    if user_filter.is_active is not None:
        message.is_active = user_filter.is_active
    if user_filter.email_verified is not None:
        message.email_verified = user_filter.email_verified
    if user_filter.query is not None:
        message.query = user_filter.query
    return message


def filter_from_pb(message: pb.UserFilter) -> UserFilter:
    """The user filter a wire message describes."""
    return UserFilter(
        user_ids=list(message.user_ids),
        emails=list(message.emails),
        organization_id=(message.organization_id if message.HasField("organization_id") else None),
        is_active=message.is_active if message.HasField("is_active") else None,
        email_verified=message.email_verified if message.HasField("email_verified") else None,
        query=message.query if message.HasField("query") else None,
    )


def organization_to_pb(summary: OrganizationSummary) -> pb.OrganizationSummary:
    """The wire form of an organization mapping."""
    return pb.OrganizationSummary(
        organization_id=summary.organization_id,
        slug=summary.slug,
        name=summary.name,
        region_name=summary.region_name,
        status=summary.status,
    )


def organization_from_pb(message: pb.OrganizationSummary) -> OrganizationSummary:
    """The organization mapping a wire message describes."""
    return OrganizationSummary(
        organization_id=message.organization_id,
        slug=message.slug,
        name=message.name,
        region_name=message.region_name,
        status=message.status,
    )


def user_id_email_from_pb(message: pb.UserIdEmail) -> UserIdEmail:
    """The (user, email) pair a wire message describes."""
    return UserIdEmail(user_id=message.user_id, email=message.email)


def verify_result_to_pb(result: VerifyUserEmailResult) -> pb.VerifyUserEmailResult:
    """The wire form of one email check."""
    return pb.VerifyUserEmailResult(
        user_id=result.user_id, email=result.email, exists=result.exists
    )


def verify_result_from_pb(message: pb.VerifyUserEmailResult) -> VerifyUserEmailResult:
    """The email check a wire message describes."""
    return VerifyUserEmailResult(message.user_id, message.email, message.exists)
