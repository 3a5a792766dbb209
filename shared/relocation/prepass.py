"""The first pass over an export: it checks the file's structure before anything is written and
collects what filters need (which users belong to the chosen organizations)."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from shared.folding import fold_case
from shared.relocation.findings import Finding, FindingKind, RelocationError
from shared.relocation.models import BY_NAME, ORGANIZATION, REFERENCED, USER
from shared.relocation.records import Record
from shared.relocation.scopes import ImportScope

MEMBER = "sentry.organizationmember"


class UsernameIndex:
    """Username -> pk of the file's users, 16 bytes a user: hashes and pks in arrays, turned into
    a lookup table only when an export names users by username (Sentry 23.7 and older)."""

    def __init__(self) -> None:
        self._hashes: array[int] = array("q")
        self._pks: array[int] = array("q")
        self._table: dict[int, int] | None = None

    def add(self, username: str, pk: int) -> None:
        """Records a user of the file."""
        self._hashes.append(hash(username))
        self._pks.append(pk)
        self._table = None

    def get(self, username: str) -> int | None:
        """The pk of the user named ``username``, if the file has one."""
        if self._table is None:
            self._table = {}
            for key, pk in zip(self._hashes, self._pks, strict=True):
                self._table.setdefault(key, pk)
        return self._table.get(hash(username))


@dataclass
class FileFacts:
    """What the first pass learned: usernames (for exports that name users by username), the
    users of the chosen organizations, and the models it skipped as unknown."""

    usernames: UsernameIndex = field(default_factory=UsernameIndex)
    organization_users: set[int] = field(default_factory=set)
    # pk -> (username, lower-case email) of every user, when filters need them for sentry.email.
    user_emails: dict[int, tuple[str, str]] = field(default_factory=dict)
    unknown_models: Counter[str] = field(default_factory=Counter)
    rows: int = 0


def _problem(
    kind: FindingKind, record: Record, reason: str, field: str | None = None
) -> RelocationError:
    return RelocationError(
        Finding(
            kind, reason, model=record.model, ordinal=record.ordinal, left_pk=record.pk, field=field
        )
    )


class _Seen:
    """Pks seen per model, ascending (checked); kept only for the models foreign keys point at,
    so memory grows with those rows alone."""

    def __init__(self) -> None:
        self.pks: dict[str, array[int]] = {}
        self.last: dict[str, int] = {}

    def add(self, record: Record) -> None:
        last = self.last.get(record.model)
        if last is not None and record.pk <= last:
            reason = (
                f"pk {record.pk} appears twice"
                if record.pk == last or self.holds(record.model, record.pk)
                else f"pk {record.pk} comes after pk {last}: rows must ascend by pk"
            )
            raise _problem(FindingKind.VALIDATION_ERROR, record, reason, "pk")
        self.last[record.model] = record.pk
        if record.model in REFERENCED:
            self.pks.setdefault(record.model, array("q")).append(record.pk)

    def holds(self, model: str, pk: int) -> bool:
        pks = self.pks.get(model)
        if not pks:
            return False
        index = bisect_left(pks, pk)
        return index < len(pks) and pks[index] == pk


def user_reference(value: object, usernames: UsernameIndex) -> int | None:
    """A user foreign key as a pk: exports of Sentry 23.7 and older name the user by username in
    a one-element list."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return usernames.get(value[0])
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def first_pass(
    records: Iterable[Record],
    organization_slugs: frozenset[str] | None = None,
    *,
    user_emails: bool = False,
    scope: ImportScope | None = None,
) -> FileFacts:
    """Checks that every row of a known model is in its place: models together and after the
    models they refer to, pks ascending, and every foreign key pointing at a row of the file.
    With ``user_emails`` it notes each user's username and email (what a filtered import keeps
    of sentry.email, which has no key to users). Keys of models outside ``scope`` go unchecked:
    those rows are never written (Sentry's own fixtures hold a userroleuser of a missing role).

    :raises RelocationError: the first problem found, with its finding.
    """
    facts = FileFacts()
    order = _Order()
    seen = _Seen()
    chosen_organizations: set[int] = set()
    for record in records:
        facts.rows += 1
        if record.model not in BY_NAME:
            facts.unknown_models[record.model] += 1
            continue
        order.check(record)
        seen.add(record)
        if record.model == USER:
            username = record.fields.get("username")
            if isinstance(username, str):
                facts.usernames.add(username, record.pk)
                if user_emails:
                    address = fold_case(str(record.fields.get("email") or ""))
                    facts.user_emails[record.pk] = (username, address)
        if scope is None or BY_NAME[record.model].scope in scope.covers:
            _check_keys(record, seen, facts)
        if organization_slugs is not None:
            _note_organization(record, organization_slugs, chosen_organizations, facts)
    return facts


class _Order:
    """Models come together, each after the models it refers to."""

    def __init__(self) -> None:
        self.finished: set[str] = set()
        self.current: str | None = None

    def check(self, record: Record) -> None:
        if record.model == self.current:
            return
        if record.model in self.finished:
            raise _problem(
                FindingKind.UNEXPECTED_MODEL, record, "the rows of this model are not together"
            )
        if self.current is not None:
            self.finished.add(self.current)  # before the check: it may refer to this model
        # A cross-silo key does not order the file: Sentry 23.7 wrote authprovider before
        # organization and useroption before project.
        later = sorted(model for model in self.finished if record.model in _same_silo(model))
        if later:
            raise _problem(
                FindingKind.UNEXPECTED_MODEL,
                record,
                f"comes after {', '.join(later)}, which refers to it",
            )
        self.current = record.model


def _same_silo(model: str) -> frozenset[str]:
    return frozenset(
        key.target for key in BY_NAME[model].foreign_keys.values() if not key.cross_silo
    ) - {model}


def _check_keys(record: Record, seen: _Seen, facts: FileFacts) -> None:
    for name, key in BY_NAME[record.model].foreign_keys.items():
        value = record.fields.get(name)
        if value is None:
            continue
        pk = user_reference(value, facts.usernames) if key.target == USER else value
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise _problem(
                FindingKind.VALIDATION_ERROR, record, f"{value!r} is not a row reference", name
            )
        if not key.cross_silo and not seen.holds(key.target, pk):
            raise _problem(
                FindingKind.INTEGRITY_ERROR,
                record,
                f"points at {key.target} pk {pk}, which the file does not hold before it",
                name,
            )


def _note_organization(
    record: Record, slugs: frozenset[str], chosen: set[int], facts: FileFacts
) -> None:
    if record.model == ORGANIZATION and fold_case(str(record.fields.get("slug", ""))) in slugs:
        chosen.add(record.pk)
    elif record.model == MEMBER and record.fields.get("organization") in chosen:
        user = record.fields.get("user_id")
        if isinstance(user, int):
            facts.organization_users.add(user)
