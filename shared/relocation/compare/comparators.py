"""Sentry's comparators: each checks some fields of a matched pair of rows by a rule looser than
equality (a suffixed name, a date that may only grow, a key that points at the same row), reports
what breaks the rule, and takes those fields out of the plain JSON comparison that follows.
Values a finding quotes from private fields (emails, tokens, hashes, passwords) are shortened."""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

Fields = Mapping[str, Any]
_EPOCH = datetime.fromtimestamp(0, UTC)


class Side(enum.Enum):
    """Which of the two files a value comes from."""

    LEFT = "left"
    RIGHT = "right"


class KeyResolver(Protocol):
    """What foreign key comparisons need: where a key points on each side."""

    def ordinal_of(self, side: Side, target: str, value: Any) -> int | None:
        """The ordinal of the row of ``target`` the key ``value`` names on ``side``, or None
        when the file holds no such row."""

    def holds(self, target: str) -> bool:
        """Whether either file holds rows of ``target``."""


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 date-time (``Z``, an offset or none, with or without fractions) in UTC."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _missing(fields: Fields, name: str) -> bool:
    return fields.get(name) is None


class Comparator(ABC):
    """Checks ``fields`` of a matched pair; the finding kinds are the class's name and the name
    followed by ``ExistenceCheck`` (a value present on one side only)."""

    def __init__(self, *fields: str) -> None:
        self.fields = tuple(sorted(fields))

    @property
    def kind(self) -> str:
        """The kind of the findings of ``compare``."""
        return type(self).__name__

    @property
    def existence_kind(self) -> str:
        """The kind of the findings of ``existence``."""
        return f"{self.kind}ExistenceCheck"

    def existence(self, left: Fields, right: Fields) -> list[str]:
        """Reasons a field is set on one side only (a comparison needs both or neither)."""
        reasons = []
        for name in self.fields:
            if _missing(left, name) and not _missing(right, name):
                reasons.append(f"the left `{name}` value was missing")
            if _missing(right, name) and not _missing(left, name) and not self.may_be_removed(name):
                reasons.append(f"the right `{name}` value was missing")
        return reasons

    def may_be_removed(self, name: str) -> bool:
        """Whether the right side may lack ``name`` where the left has it."""
        return False

    @abstractmethod
    def compare(self, left: Fields, right: Fields, keys: KeyResolver) -> list[str]:
        """Reasons the pair breaks this comparator's rule (fields set on both sides only)."""

    def _both(self, left: Fields, right: Fields) -> list[str]:
        return [
            name for name in self.fields if not _missing(left, name) or not _missing(right, name)
        ]


class AutoSuffixComparator(Comparator):
    """A globally unique name that an import may suffix when it is taken (``alice`` becomes
    ``alice-x7``): the right value equals the left or extends it with a dash."""

    def compare(self, left: Fields, right: Fields, keys: KeyResolver) -> list[str]:
        reasons = []
        for name in self._both(left, right):
            lv, rv = left[name], right[name]
            if lv != rv and not (isinstance(rv, str) and rv.startswith(f"{lv}-")):
                reasons.append(
                    f"the left value ({lv}) of `{name}` was not equal to or a dashed prefix of "
                    f"the right value ({rv})"
                )
        return reasons


class DateUpdatedComparator(Comparator):
    """A date an import may move forward but never back: right >= left (null counts as the
    epoch)."""

    def compare(self, left: Fields, right: Fields, keys: KeyResolver) -> list[str]:
        reasons = []
        for name in self._both(left, right):
            lv, rv = left.get(name), right.get(name)
            lt = _EPOCH if lv is None else parse_time(lv)
            rt = _EPOCH if rv is None else parse_time(rv)
            if lt is None or rt is None:
                reasons.append(f"`{name}` is not a date-time ({lv if lt is None else rv})")
            elif lt > rt:
                reasons.append(
                    f"the left value ({lv}) of `{name}` was not less than or equal to the right "
                    f"value ({rv})"
                )
        return reasons


class DatetimeEqualityComparator(Comparator):
    """Dates compared as instants, so ``...55.000Z``, ``...55Z`` and ``...55.000000+00:00`` are
    equal."""

    def compare(self, left: Fields, right: Fields, keys: KeyResolver) -> list[str]:
        reasons = []
        for name in self._both(left, right):
            lv, rv = left[name], right[name]
            lt, rt = parse_time(lv), parse_time(rv)
            if lt is None or rt is None:
                reasons.append(f"`{name}` is not a date-time ({lv if lt is None else rv})")
            elif lt != rt:
                reasons.append(
                    f"the left value ({lv}) of `{name}` was not equal to the right value ({rv})"
                )
        return reasons


class IgnoredComparator(Comparator):
    """Fields an import legitimately changes (claim state, verification hashes): not compared,
    not even for presence."""

    def existence(self, left: Fields, right: Fields) -> list[str]:
        return []

    def compare(self, left: Fields, right: Fields, keys: KeyResolver) -> list[str]:
        return []


class ObfuscatingComparator(Comparator):
    """Private values: compared for equality, quoted only shortened."""

    @staticmethod
    @abstractmethod
    def shorten(value: str) -> str:
        """What a finding may show of ``value``."""

    def compare(self, left: Fields, right: Fields, keys: KeyResolver) -> list[str]:
        reasons = []
        for name in self._both(left, right):
            lv, rv = left[name], right[name]
            if lv != rv:
                reasons.append(
                    f'the left value ("{self.shorten(str(lv))}") of `{name}` was not equal to '
                    f'the right value ("{self.shorten(str(rv))}")'
                )
        return reasons


def shorten_hash(value: str) -> str:
    """A token or hash shown by its ends only (nothing of one under 8 characters)."""
    if len(value) >= 16:
        return f"{value[:3]}...{value[-3:]}"
    if len(value) >= 8:
        return f"{value[:1]}...{value[-1:]}"
    return "..."


def shorten_email(value: str) -> str:
    """An address shown by its first letter and the end of its domain."""
    local, at, domain = value.partition("@")
    if not at or "@" in domain:
        return shorten_hash(value)
    return f"{local[:1]}...@...{domain[-6:]}"


def shorten_password(value: str) -> str:
    """A password hash shown by its algorithm prefix and a few final characters."""
    if len(value) > 80:
        return f"{value[:12]}...{value[-6:]}"
    if len(value) > 40:
        return f"{value[:6]}...{value[-4:]}"
    return "..."


class EmailObfuscatingComparator(ObfuscatingComparator):
    """Email addresses."""

    @staticmethod
    def shorten(value: str) -> str:
        return shorten_email(value)


class HashObfuscatingComparator(ObfuscatingComparator):
    """Tokens, hashes and identities."""

    @staticmethod
    def shorten(value: str) -> str:
        return shorten_hash(value)


class UserPasswordObfuscatingComparator(ObfuscatingComparator):
    """A user's password and claim state: an import cannot claim a user; a user claimed on the
    left and unclaimed on the right must have another password (the import replaced it); an
    unclaimed user has a password change date that did not go back and no expired password; a
    claimed user keeps the same password."""

    def __init__(self) -> None:
        super().__init__("password")

    @staticmethod
    def shorten(value: str) -> str:
        return shorten_password(value)

    def compare(self, left: Fields, right: Fields, keys: KeyResolver) -> list[str]:
        reasons = []
        if left.get("is_unclaimed") and not right.get("is_unclaimed"):
            reasons.append(
                "the left value of `is_unclaimed` was `True` but the right value was `False`, "
                "even though the act of importing cannot claim users"
            )
        if not right.get("is_unclaimed"):
            return reasons + super().compare(left, right, keys)
        lv, rv = left.get("password"), right.get("password")
        # Only claiming changes a password an import must replace: a user unclaimed on both
        # sides holds an unusable one either way, so a file compared with itself is equal.
        if lv is not None and lv == rv and not left.get("is_unclaimed"):
            reasons.append(
                f'the left value ("{shorten_password(str(lv))}") of `password` was equal to the '
                f'right value ("{shorten_password(str(rv))}"), which is disallowed when '
                "`is_unclaimed` is `True`"
            )
        reasons += DateUpdatedComparator("last_password_change").compare(left, right, keys)
        if right.get("is_password_expired"):
            reasons.append(
                "the right value of `is_password_expired` must be `False` for unclaimed users"
            )
        return reasons


class ForeignKeyComparator(Comparator):
    """Foreign keys compared by what they point at (the ordinal of the target row on each side),
    not by their numbers. A ``removable`` key (an inviter, a creator) may be null on the right: an
    import clears it when its target was not imported. A key into a model neither file holds
    (a cross-silo id of a row outside the export), or one that points at no row on either side,
    is compared as it is."""

    def __init__(self, targets: Mapping[str, tuple[str, bool]]) -> None:
        super().__init__(*targets)
        self.targets = dict(targets)

    def may_be_removed(self, name: str) -> bool:
        return self.targets[name][1]

    def compare(self, left: Fields, right: Fields, keys: KeyResolver) -> list[str]:
        reasons = []
        for name in self._both(left, right):
            target, _ = self.targets[name]
            lv, rv = left.get(name), right.get(name)
            if lv is None or rv is None:
                continue  # a removed key, allowed by ``existence``
            if not keys.holds(target):
                if lv != rv:
                    reasons.append(
                        f"the left value ({lv}) of `{name}` was not equal to the right value "
                        f"({rv}) (no {target} rows to compare what they point at)"
                    )
                continue
            lo = keys.ordinal_of(Side.LEFT, target, lv)
            ro = keys.ordinal_of(Side.RIGHT, target, rv)
            if lo is None and ro is None and lv == rv:
                continue  # the same dangling key on both sides (as a file compared with itself)
            if lo is None:
                reasons.append(
                    f"the left foreign key ordinal for `{name}` model with pk `{lv}` could not be "
                    "found"
                )
            if ro is None:
                reasons.append(
                    f"the right foreign key ordinal for `{name}` model with pk `{rv}` could not be "
                    "found"
                )
            if lo is not None and ro is not None and lo != ro:
                reasons.append(
                    f"the left foreign key ordinal ({lo}) for `{name}` was not equal to the right "
                    f"foreign key ordinal ({ro})"
                )
        return reasons
