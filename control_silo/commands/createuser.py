"""`silo createuser`: create or update users with Sentry's rules, on the control database or
through a running control silo, and (single-organization installs) add them to the organization."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import click

from shared import validation
from shared.cli import SiloContext, pass_silo
from shared.config import Settings
from shared.errors import InvalidArgument, NotFound, SiloError
from shared.services.organization.model import MemberRole, Organization
from shared.services.organization.service import OrganizationService
from shared.services.organization_mapping.service import OrganizationMappingService
from shared.services.user.model import NewUser, User, UserUpdate
from shared.services.user.service import UserService
from shared.silo_mode import SiloMode

if TYPE_CHECKING:
    from shared.services.region_directory import RegionDirectory

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


class Services(NamedTuple):
    """What the command calls: the control silo's user and mapping services, and the regions."""

    users: UserService
    mappings: OrganizationMappingService
    regions: RegionDirectory


def connect(settings: Settings, control_address: str | None) -> AbstractContextManager[Services]:
    """The services the command needs, through the delegating handles: resolved to gRPC clients
    of a running control silo when ``control_address`` is given, else to the control database
    itself (it must be migrated)."""
    return _remote(settings, control_address) if control_address else _direct(settings)


@contextmanager
def _direct(settings: Settings) -> Iterator[Services]:
    from control_silo.bootstrap import build_control_silo  # noqa: PLC0415 - heavy imports

    control = build_control_silo(settings)
    try:
        control.check_schema()
        services = control.services
        yield Services(
            services.get(UserService), services.get(OrganizationMappingService), control.regions
        )
    finally:
        control.close()


@contextmanager
def _remote(settings: Settings, control_address: str) -> Iterator[Services]:
    from shared.rpc.channel import open_channel  # noqa: PLC0415 - heavy imports
    from shared.services.directory import ServiceDirectory  # noqa: PLC0415
    from shared.services.region_directory import RegionDirectory  # noqa: PLC0415

    secret = settings.signing_secret
    regions = RegionDirectory(
        settings.regions,
        lambda address: open_channel(address, secret=secret, timeout=settings.rpc_timeout),
        settings.rpc_timeout,
    )
    # A region's mode resolves every control silo service to its gRPC client.
    services = ServiceDirectory(
        SiloMode.REGION,
        control_channel=lambda: open_channel(
            control_address, secret=secret, timeout=settings.rpc_timeout
        ),
        timeout=settings.rpc_timeout,
    )
    try:
        yield Services(services.get(UserService), services.get(OrganizationMappingService), regions)
    finally:
        services.close()
        regions.close()


def existing_user(users: UserService, email: str) -> User | None:
    """The user whose username is ``email``, compared the way usernames collide (ignoring case)."""
    for user in users.get_by_username(username=email, with_valid_password=False):
        if user.username.lower() == email.lower():
            return user
    return None


def run(request: Request, users: UserService, target: TargetOrganization | None) -> None:
    """Creates or updates every user of the request; changes nothing when one already exists
    and ``--force-update`` was not given."""
    emails, repeats = _distinct(request.emails)
    existing = {email: existing_user(users, email) for email in emails}
    if not request.force_update:
        for email, user in existing.items():
            if user is not None:
                click.echo(f"User: {email} exists, use --force-update to force.")
                sys.exit(EXIT_USER_EXISTS)
    for email in emails:
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
    for email in repeats:
        click.echo(f"User: {email} exists (given twice).")


def _distinct(emails: list[str]) -> tuple[list[str], list[str]]:
    """The emails without repeats (usernames collide ignoring case), and the repeats."""
    seen: set[str] = set()
    distinct: list[str] = []
    repeats: list[str] = []
    for email in emails:
        (repeats if email.lower() in seen else distinct).append(email)
        seen.add(email.lower())
    return distinct, repeats


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


@click.command("createuser")
@click.option("--email", "emails", multiple=True, help="Email, also the username (repeatable).")
@click.option("--password", help="The password (prompted for, hidden, when not given).")
@click.option("--no-password", is_flag=True, help="Create the user without a usable password.")
@click.option("--superuser/--no-superuser", default=None, help="Installation superuser.")
@click.option("--staff/--no-staff", default=None, help="Staff access (superusers only).")
@click.option("--no-input", is_flag=True, help="Never prompt; fail on what is missing.")
@click.option("--force-update", is_flag=True, help="Update a user that already exists.")
@click.option("--org-id", type=int, help="The organization new users join.")
@click.option(
    "--control",
    "control_address",
    help="A running control silo (HOST:PORT); without it, the control database is used directly.",
)
@click.option("--database-url", help="The control database, in direct mode.")
@click.option("--data-dir", type=click.Path(), help="Where the default SQLite file lives.")
@click.option("--region", "regions", multiple=True, help="NAME=HOST:PORT of a region.")
@pass_silo
def createuser(
    silo: SiloContext,
    *,
    emails: tuple[str, ...],
    password: str | None,
    no_password: bool,
    superuser: bool | None,
    staff: bool | None,
    no_input: bool,
    force_update: bool,
    org_id: int | None,
    control_address: str | None,
    database_url: str | None,
    data_dir: str | None,
    regions: tuple[str, ...],
) -> None:
    """Create a user (or update one with --force-update), Sentry's way."""
    request = gather(
        emails=emails,
        password=password,
        no_password=no_password,
        superuser=superuser,
        staff=staff,
        no_input=no_input,
        force_update=force_update,
        org_id=org_id,
    )
    settings = silo.settings(
        mode=SiloMode.CONTROL,
        database_url=database_url,
        data_dir=data_dir,
        regions=regions or None,
    )
    try:
        with connect(settings, control_address) as services:
            target = None
            if settings.single_organization or request.org_id is not None:
                target = find_organization(request.org_id, services.mappings, services.regions)
            run(request, services.users, target)
    except SiloError as error:
        fail(str(error))
