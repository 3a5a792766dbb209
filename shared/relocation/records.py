"""The records of an export file, read one at a time from a stream of its JSON array."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import ijson  # type: ignore[import-untyped]

from shared.relocation.findings import Finding, FindingKind, RelocationError


@dataclass(frozen=True, slots=True)
class Record:
    """One element of the file: ``{"model": ..., "pk": ..., "fields": {...}}``; ``ordinal`` is its
    1-based position among the rows of its model."""

    model: str
    pk: int
    fields: dict[str, Any]
    ordinal: int


def _malformed(reason: str, model: str = "", ordinal: int | None = None) -> RelocationError:
    return RelocationError(
        Finding(FindingKind.DESERIALIZATION_FAILED, reason, model=model, ordinal=ordinal)
    )


def _first_byte(stream: BinaryIO) -> bytes:
    """Skips leading white space (and a UTF-8 byte order mark) and returns the next byte."""
    while True:
        byte = stream.read(1)
        if byte not in (b" ", b"\n", b"\r", b"\t", b"\xef", b"\xbb", b"\xbf"):
            return byte


def read_records(stream: BinaryIO) -> Iterator[Record]:
    """Every record of the JSON array in ``stream``, in file order, parsed incrementally (memory
    does not grow with the file). Raises ``RelocationError`` for text that is not JSON, is cut
    short, is not an array, or holds an element that is not a record."""
    first = _first_byte(stream)
    if first != b"[":
        if not first:
            raise _malformed("the file is empty")
        raise _malformed("the file is not a JSON array of records")
    ordinals: Counter[str] = Counter()
    elements = ijson.items(_Prefixed(b"[", stream), "item", use_float=True)
    position = 0
    try:
        for element in elements:
            position += 1
            yield _record(element, position, ordinals)
    except ijson.IncompleteJSONError as error:
        raise _malformed(
            f"the JSON ends early or is malformed after element {position} ({error})"
        ) from None
    except ijson.JSONError as error:
        raise _malformed(f"not valid JSON after element {position} ({error})") from None


def _record(element: Any, position: int, ordinals: Counter[str]) -> Record:
    if not isinstance(element, dict):
        raise _malformed(f"element {position} is not an object")
    model = element.get("model")
    if not isinstance(model, str) or not model:
        raise _malformed(f"element {position} has no model name")
    ordinals[model] += 1
    ordinal = ordinals[model]
    pk = element.get("pk")
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise _malformed(f"element {position} has no integer pk", model, ordinal)
    fields = element.get("fields")
    if not isinstance(fields, dict):
        raise RelocationError(
            Finding(
                FindingKind.DESERIALIZATION_FAILED,
                f"element {position} has no fields object",
                model=model,
                ordinal=ordinal,
                left_pk=pk,
            )
        )
    return Record(model=model, pk=pk, fields=fields, ordinal=ordinal)


class _Prefixed:
    """A stream that yields ``prefix`` before the rest of ``stream`` (the byte already read)."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = prefix
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if self._prefix and size != 0:
            head, self._prefix = self._prefix, b""
            return head + self._stream.read(max(size - len(head), 0) if size > 0 else -1)
        return self._stream.read(size)
