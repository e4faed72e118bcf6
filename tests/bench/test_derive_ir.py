"""bench/derive_ir.py --cold empties exactly the caches kept across records that are keyed on texts."""

from __future__ import annotations

import sys

from tests.conftest import REPO

sys.path.insert(0, str(REPO))
from auditor.extract import rules
from auditor.extract.timeframes import points
from bench import derive_ir


def test_the_text_caches_are_found_and_the_rule_cache_is_kept() -> None:
    clears = derive_ir.text_caches()
    assert points.parse_cached.cache_clear in clears  # bounded, keyed on time-frame texts
    assert rules.load.cache_clear not in clears  # unbounded: the rule files every record shares


def test_clearing_them_empties_a_filled_cache() -> None:
    points.parse_cached("12 weeks")
    assert points.parse_cached.cache_info().currsize > 0
    for clear in derive_ir.text_caches():
        clear()
    assert points.parse_cached.cache_info().currsize == 0
