"""Case folding as the databases do it, for comparing text with what their ``lower()`` returns."""

from __future__ import annotations


def fold_case(text: str) -> str:
    """``lower()`` as PostgreSQL computes it (and SQLite does, given ``shared.db.engine``'s
    override): letter by letter, with no context. A final capital sigma becomes a plain small
    sigma and a dotted capital I a plain i, where Python's ``str.lower`` gives a final sigma and
    an i with a combining dot; a name compared with a database's ``lower()`` must be folded this
    way, or its own spelling would not find it."""
    if text.isascii():  # nearly every value: one C call, the same result
        return text.lower()
    return "".join(letter.lower()[:1] for letter in text)
