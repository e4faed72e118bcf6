"""Every text-keyed cache of auditor.extract lives for one record (auditor/extract/record_cache.py)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import auditor.extract
from auditor.extract import derive, record_cache
from auditor.extract.timeframes import points
from tests.extract.helpers import record


def _bounded_caches() -> dict[str, Any]:
    """Every functools cache with a size bound defined in the package, by qualified name (a name
    imported from elsewhere, such as auditor.facts.opening, belongs to its own module)."""
    found: dict[str, Any] = {}
    for info in pkgutil.walk_packages(auditor.extract.__path__, "auditor.extract."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            parameters = getattr(value, "cache_parameters", None)
            if callable(parameters) and parameters()["maxsize"] is not None and value.__module__ == info.name:
                found[f"{info.name}.{name}"] = value
    return found


def test_every_bounded_cache_is_a_per_record_cache() -> None:
    caches = _bounded_caches()
    assert len(caches) >= 10  # the walk reaches the subpackages (duration, safety, timeframes)
    registered = {id(c) for c in record_cache.registered()}
    missing = sorted(name for name, cache in caches.items() if id(cache) not in registered)
    assert not missing, f"use record_cache.per_record for these text caches: {missing}"


def test_derive_leaves_every_per_record_cache_empty() -> None:
    points.parse_cached("Baseline and 12 weeks")
    derive(record(summary="Eight weekly sessions of physiotherapy; follow-up at 6 months."))
    assert all(cache.cache_info().currsize == 0 for cache in record_cache.registered())
