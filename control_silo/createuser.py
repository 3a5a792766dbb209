"""`silo createuser`: create or update users with Sentry's rules, on the control database or
through a running control silo, and (single-organization installs) add them to the organization."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import click

from control_silo.bootstrap import build_control_silo
from shared import validation
from shared.config import Settings
from shared.errors import InvalidArgument, NotFound
from shared.rpc.channel import open_channel
from shared.services.organization.model import MemberRole, Organization
from shared.services.organization.service import OrganizationService
from shared.services.organization_mapping.client import OrganizationMappingServiceClient
from shared.services.organization_mapping.service import OrganizationMappingService
from shared.services.region_directory import RegionDirectory
from shared.services.user.client import UserServiceClient
from shared.services.user.model import NewUser, User, UserUpdate
from shared.services.user.service import UserService

SUPER_ADMIN_ROLE = "Super Admin"
EXIT_USER_EXISTS = 3


@dataclass
class Request:
    """What the operator asked for, after prompts."""

    emails: list[str]
    password: str | None = field(repr=False)
    no_password: bool
    superuser: bool
    staff: bool
    force_update: bool
    org_id: int | None


@dataclass(frozen=True)
class TargetOrganization:
    """The organization new users join, and the region service that holds it."""

    organization: Organization
    service: OrganizationService


def fail(message: str, code: int = 1) -> None:
    """Prints ``message`` as an error and exits with ``code``."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def gather(
    *,
    emails: tuple[str, ...],
    password: str | None,
    no_password: bool,
    superuser: bool | None,
    staff: bool | None,
    no_input: bool,
    force_update: bool,
    org_id: int | None,
) -> Request:
    """Prompts for what is missing (unless ``no_input``) and applies the validation rules."""
    addresses = list(emails)
    if not no_input:
        if not addresses:
            addresses = [click.prompt("Email", default="", show_default=False)]
        if not (password or no_password):
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if superuser is None:
            superuser = click.confirm("Should this user be a superuser?", default=False)
    superuser = bool(superuser)
    if not addresses or not all(_valid_email(address) for address in addresses):
        fail("Invalid or missing email address.")
    if not no_password and not password:
        fail("No password set and --no-password not passed.")
    if staff is None:
        staff = superuser
    if staff and not superuser:
        click.echo("Non-superuser asked to be given staff access, correcting to staff=False")
        staff = False
    return Request(
        emails=[address.strip() for address in addresses],
        password=None if no_password else password,
        no_password=no_password,
        superuser=superuser,
        staff=staff,
        force_update=force_update,
        org_id=org_id,
    )


def _valid_email(address: str) -> bool:
    try:
        validation.email(address)
    except InvalidArgument:
        return False
    return True


def find_organization(
    org_id: int | None, mappings: OrganizationMappingService, regions: RegionDirectory
) -> TargetOrganization:
    """The organization of ``org_id``, or the installation's default one (the oldest active
    organization of any region)."""
    if org_id is not None:
        try:
            mapping = mappings.get(organization_id=org_id)
            service = regions.organization_service(mapping.region_name)
            return TargetOrganization(
                service.get_organization_by_id(organization_id=org_id), service
            )
        except NotFound:
            fail(f"Organization {org_id} does not exist.")
        except InvalidArgument as error:
            fail(f"Organization {org_id} lives in a region this command cannot reach: {error}")
    candidates = []
    for name in regions.names:
        service = regions.organization_service(name)
        default = service.get_default_organization()
        if default is not None:
            candidates.append(TargetOrganization(default, service))
    if not candidates:
        fail("No organization to add users to: create one first or pass --org-id.")
    return min(candidates, key=lambda target: target.organization.id)


@contextmanager
def connect(
    settings: Settings, control_address: str | None
) -> Iterator[tuple[UserService, OrganizationMappingService, RegionDirectory]]:
    """The services the command needs: gRPC clients of a running control silo when
    ``control_address`` is given, else the control database itself (it must be migrated)."""
    secret = settings.signing_secret
    directory = RegionDirectory(
        settings.regions,
        lambda address: open_channel(address, secret=secret, timeout=settings.rpc_timeout),
        settings.rpc_timeout,
    )
    try:
        if control_address:
            channel = open_channel(control_address, secret=secret, timeout=settings.rpc_timeout)
            try:
                yield (
                    UserServiceClient(channel, settings.rpc_timeout),
                    OrganizationMappingServiceClient(channel, settings.rpc_timeout),
                    directory,
                )
            finally:
                channel.close()
            return
        control = build_control_silo(settings)
        try:
            control.check_schema()
            yield control.services.get(UserService), control.mapping_service, directory
        finally:
            control.close()
    finally:
        directory.close()


def existing_user(users: UserService, email: str) -> User | None:
    """The user whose username is ``email``, compared the way usernames collide (ignoring case)."""
    for user in users.get_by_username(username=email, with_valid_password=False):
        if user.username.lower() == email.lower():
            return user
    return None


def run(request: Request, users: UserService, target: TargetOrganization | None) -> None:
    """Creates or updates every user of the request; changes nothing when one already exists
    and ``--force-update`` was not given."""
    existing = {email: existing_user(users, email) for email in request.emails}
    if not request.force_update:
        for email, user in existing.items():
            if user is not None:
                click.echo(f"User: {email} exists, use --force-update to force.")
                sys.exit(EXIT_USER_EXISTS)
    for email in request.emails:
        user = existing[email]
        if user is not None:
            _update(users, user, request)
            click.echo(f"User updated: {email}")
            continue
        created = users.create_user(
            user=NewUser(
                username=email,
                email=email,
                password=request.password,
                is_active=True,
                is_staff=request.staff,
                is_superuser=request.superuser,
            )
        )
        if request.superuser:
            users.add_user_role(user_id=created.id, role=SUPER_ADMIN_ROLE)
        click.echo(f"User created: {email}")
        if target is not None:
            _join(target, created, request.superuser)


def _update(users: UserService, user: User, request: Request) -> None:
    users.update_user(
        user_id=user.id,
        update=UserUpdate(
            is_active=True,
            is_staff=request.staff,
            is_superuser=request.superuser,
            password=request.password,
        ),
    )
    if request.superuser:
        users.add_user_role(user_id=user.id, role=SUPER_ADMIN_ROLE)


def _join(target: TargetOrganization, user: User, superuser: bool) -> None:
    organization = target.organization
    role = MemberRole.OWNER if superuser else organization.default_role
    member = target.service.add_organization_member(
        organization_id=organization.id, user_id=user.id, role=role
    )
    team = target.service.get_single_team(organization_id=organization.id)
    if team is not None:
        target.service.add_team_member(
            organization_id=organization.id, team_id=team.id, member_id=member.id
        )
    click.echo(f"Added to organization: {organization.slug}")
