"""Organization slugs: the one rule every silo applies before reserving or storing a slug."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable, Set

from shared.errors import InvalidArgument
from shared.relocation.names import free_name

MAX_SLUG_LENGTH = 50
# Sentry cuts slugs it makes up (on import, from a name) to 30 characters.
IMPORTED_SLUG_LENGTH = 30
# Sentry's organization slug pattern: letters, digits and hyphens, starting with a letter or
# digit, not ending with a hyphen, not all digits.
_SLUG = re.compile(r"^(?![0-9]+$)[a-zA-Z0-9][a-zA-Z0-9-]*(?<!-)$")

# Top-level URL segments and region names an organization may not take (after Sentry's list).
RESERVED_ORGANIZATION_SLUGS = frozenset(
    {
        "404", "500", "_admin", "_experiment", "_static", "about", "accept", "access", "account",
        "accountspayable", "acl", "admin", "answers", "ap", "api", "app", "at", "au1", "auth",
        "authentication", "avatar", "billing", "blog", "branding", "careers", "client", "clients",
        "community", "contact", "corp", "customers", "de", "debug", "devinfra", "docs",
        "enterprise", "eu", "events", "expenses", "ext", "extension", "extensions", "features",
        "finance", "for", "from", "get-cli", "github-deployment-gate", "guide", "help", "ingest",
        "ingest-beta", "integration-platform", "integrations", "invoice", "invoices", "ja", "jobs",
        "legal", "login", "logout", "lp", "mail", "manage", "my", "onboarding",
        "organization-avatar", "organizations", "out", "payment", "payments", "platforms",
        "plugins", "policy", "pricing", "privacy", "project-avatar", "projects", "receipt",
        "receipts", "referrals", "register", "remote", "resources", "sa1", "sales", "security",
        "sentry-apps", "settings", "signup", "sponsorship", "ssh", "sso", "staff", "subscribe",
        "support", "syntax", "syntaxfm", "team-avatar", "teams", "terms", "thanks", "themonitor",
        "trust", "us", "vs", "welcome",
    }
)  # fmt: skip

# Project slugs Sentry refuses to make up from a name (they are URL segments of a project).
RESERVED_PROJECT_SLUGS = frozenset(
    {
        "$all", "api-keys", "audit-log", "auth", "members", "projects", "rate-limits", "repos",
        "settings", "teams", "billing", "payments", "legal", "subscription", "support",
        "integrations", "developer-settings", "usage",
    }
)  # fmt: skip


def organization_slug(value: str, field: str = "slug") -> str:
    """A valid organization slug, or ``InvalidArgument`` naming ``field`` and the rule broken."""
    if not value:
        raise InvalidArgument("is required", field=field)
    if len(value) > MAX_SLUG_LENGTH:
        raise InvalidArgument(f"is longer than {MAX_SLUG_LENGTH} characters", field=field)
    if value != value.lower():
        raise InvalidArgument(f"{value!r} must be lowercase", field=field)
    if value.isdigit():
        raise InvalidArgument(f"{value!r} must not be all digits", field=field)
    if not _SLUG.fullmatch(value):
        raise InvalidArgument(
            f"{value!r} may only contain lowercase letters, digits and hyphens, and must start "
            "with a letter or digit and not end with a hyphen",
            field=field,
        )
    if value in RESERVED_ORGANIZATION_SLUGS:
        raise InvalidArgument(f"{value!r} is reserved", field=field)
    return value


def slugify(value: str) -> str:
    """Django's ``slugify``: accents folded to ASCII, anything but letters, digits, underscores,
    spaces and hyphens dropped, lower case, runs of spaces and hyphens made one hyphen, hyphens
    and underscores stripped from both ends."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    kept = re.sub(r"[^\w\s-]", "", ascii_text.lower())
    return re.sub(r"[-\s]+", "-", kept).strip("-_")


def imported_organization_slug(value: str) -> str:
    """The slug Sentry gives an imported organization before checking it is free: lower case,
    underscores made hyphens, slugified, cut to 30 characters, no hyphen at either end ("" when
    nothing is left)."""
    target = value.lower().replace("_", "-").strip("-")
    # Sentry stops here; folding can turn a character into "_" again, which no organization
    # slug here may hold.
    return slugify(target)[:IMPORTED_SLUG_LENGTH].replace("_", "-").strip("-")


def unique_slug(
    base: str,
    taken: Callable[[str], bool],
    *,
    max_length: int = IMPORTED_SLUG_LENGTH,
    reserved: Set[str] = frozenset(),
) -> str:
    """Sentry's ``unique_db_instance``: ``base`` when it is free, not reserved and not all
    digits; a reserved or empty base becomes 12 random hex digits; otherwise a random suffix
    (``-xy``, then ``-xyz``, ``-xyzab``, then 12 characters), the base cut to stay within
    ``max_length``. ``taken`` answers for a lower-case slug.

    :raises LookupError: every candidate is taken.
    """
    base = base.strip()
    if not base or base in reserved:
        base = secrets.token_hex(6)
    return free_name(base, max_length, lambda slug: slug in reserved or taken(slug.lower()))
