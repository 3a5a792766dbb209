"""Response messages reused for results that are the very same immutable value.

A cached read hands every caller the same result object (``control_silo.cache``); converting it
to its response message again on each call is wasted work. ``ResponseReuse`` remembers the
message of live results whose type is deeply immutable (a frozen dataclass whose fields are
scalars, enums, times, frozensets, tuples or such dataclasses again), keyed by the result's
identity: a result that *is* an earlier one gets that earlier message. Anything else (a list, a
mutable or new object) is converted as usual."""

from __future__ import annotations

import dataclasses
import enum
import threading
import weakref
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, get_args, get_origin

from google.protobuf.message import Message

from shared.wire.convert import field_hints, unwrap_optional

_IMMUTABLE_SCALARS = (int, str, bool, float, bytes, datetime, date, timedelta, type(None))
_IMMUTABLE_KINDS: dict[Any, bool] = {}
_KINDS_LOCK = threading.RLock()


def is_deeply_immutable(hint: Any) -> bool:
    """Whether every value of the type ``hint`` is immutable all the way down (decided once
    per type)."""
    known = _IMMUTABLE_KINDS.get(hint)
    if known is None:
        with _KINDS_LOCK:
            _IMMUTABLE_KINDS[hint] = False  # a type that contains itself is not reused
            known = _decide(hint)
            _IMMUTABLE_KINDS[hint] = known
    return known


def _decide(hint: Any) -> bool:
    hint, _ = unwrap_optional(hint)
    if isinstance(hint, type):
        if issubclass(hint, _IMMUTABLE_SCALARS) or issubclass(hint, enum.Enum):
            return True
        if dataclasses.is_dataclass(hint):
            params = getattr(hint, "__dataclass_params__", None)
            return bool(params is not None and params.frozen) and all(
                is_deeply_immutable(field) for field in field_hints(hint).values()
            )
        return False
    origin = get_origin(hint)
    if origin is frozenset:
        return all(is_deeply_immutable(arg) for arg in get_args(hint))
    if origin is tuple:
        return all(arg is Ellipsis or is_deeply_immutable(arg) for arg in get_args(hint))
    return False


class ResponseReuse:
    """``convert`` (result -> response message), remembering the message of each deeply
    immutable result by identity for as long as the result lives elsewhere (at most ``size`` at
    once): a result made for one call only (a read with no cache) is forgotten when it goes, and
    holds no memory. The messages handed out are shared: callers only serialize them."""

    def __init__(self, convert: Callable[[Any], Message], size: int = 1024) -> None:
        self._convert = convert
        self._size = size
        # id(result) -> (weak reference to the result, message); the entry goes with the result.
        self._messages: dict[int, tuple[weakref.ref[Any], Message]] = {}

    def __len__(self) -> int:
        return len(self._messages)

    def __call__(self, result: Any) -> Message:
        key = id(result)
        kept = self._messages.get(key)
        if kept is not None and kept[0]() is result:
            return kept[1]
        message = self._convert(result)
        if is_deeply_immutable(type(result)):
            try:
                reference = weakref.ref(result, partial(self._forget, key))
            except TypeError:  # a type without weak references is not remembered
                return message
            if len(self._messages) >= self._size:
                self._messages.clear()
            self._messages[key] = (reference, message)
        return message

    def _forget(self, key: int, reference: weakref.ref[Any]) -> None:
        """Drops the entry of a result that is gone (unless its id was taken again since)."""
        kept = self._messages.get(key)
        if kept is not None and kept[0] is reference:
            self._messages.pop(key, None)
