"""Caches that live for one record.

Several facts of one record read the same texts (an arm's description feeds the treatment length, the
one-off test and the categories; the outcomes repeat their time frames), so the text scanners keep
what they found in a `functools.lru_cache`. Kept across records, such a cache would grow with the
corpus and make a corpus of repeated studies (the benchmarks' re-identified copies) look faster than
distinct registry data. So every text-keyed cache in `auditor.extract` is made with `per_record`,
and `derive()` empties them all after each record (`clear`). A test holds that no bounded
`lru_cache` in the package escapes the registry; caches of the rule files, which every record
shares, stay unbounded `lru_cache`s.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])

_CACHES: list[Any] = []


def per_record(maxsize: int) -> Callable[[F], F]:
    """`functools.lru_cache(maxsize)`, emptied after each record by `clear()`."""

    def register(function: F) -> F:
        cached = lru_cache(maxsize=maxsize)(function)
        _CACHES.append(cached)
        return cast(F, cached)

    return register


def clear() -> None:
    """Empty every per-record cache (derive() calls this after each record)."""
    for cache in _CACHES:
        cache.cache_clear()


def registered() -> tuple[Any, ...]:
    """The per-record caches, for the test that none is missing."""
    return tuple(_CACHES)
