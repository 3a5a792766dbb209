"""Organization slugs: the one rule every silo applies before reserving or storing a slug."""

from __future__ import annotations

import re

from shared.errors import InvalidArgument

MAX_SLUG_LENGTH = 50
_SLUG = re.compile(r"^[a-z0-9-]+$")

# Top-level URL segments and region names an organization may not take (after Sentry's list).
RESERVED_ORGANIZATION_SLUGS = frozenset(
    {
        "404", "500", "_admin", "_experiment", "_static", "about", "accept", "access", "account",
        "accountspayable", "acl", "admin", "answers", "ap", "api", "app", "at", "au1", "auth",
        "authentication", "avatar", "billing", "blog", "branding", "careers", "client", "clients",
        "community", "contact", "corp", "customers", "de", "debug", "devinfra", "docs",
        "enterprise", "eu", "events", "expenses", "ext", "extension", "extensions", "features",
        "finance", "for", "from", "get-cli", "guide", "help", "ingest", "ingest-beta",
        "integration-platform", "integrations", "invoice", "invoices", "ja", "jobs", "legal",
        "login", "logout", "lp", "mail", "manage", "my", "onboarding", "organization-avatar",
        "organizations", "out", "payment", "payments", "platforms", "plugins", "policy",
        "pricing", "privacy", "project-avatar", "projects", "receipt", "receipts", "referrals",
        "register", "remote", "resources", "sa1", "sales", "security", "sentry-apps", "settings",
        "signup", "sponsorship", "ssh", "sso", "staff", "subscribe", "support", "syntax",
        "team-avatar", "teams", "terms", "thanks", "themonitor", "trust", "us", "vs", "welcome",
    }
)  # fmt: skip


def organization_slug(value: str, field: str = "slug") -> str:
    """A valid organization slug, or ``InvalidArgument`` naming ``field`` and the rule broken."""
    if not value:
        raise InvalidArgument("is required", field=field)
    if len(value) > MAX_SLUG_LENGTH:
        raise InvalidArgument(f"is longer than {MAX_SLUG_LENGTH} characters", field=field)
    if not _SLUG.match(value):
        raise InvalidArgument(
            f"{value!r} may only contain lowercase letters, digits and hyphens", field=field
        )
    if value.isdigit():
        raise InvalidArgument(f"{value!r} must not be all digits", field=field)
    if value in RESERVED_ORGANIZATION_SLUGS:
        raise InvalidArgument(f"{value!r} is reserved", field=field)
    return value
