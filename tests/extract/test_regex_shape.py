"""regex_shape reads what matches start with from a pattern's source, or says it does not know."""

from __future__ import annotations

import re

import pytest
import yaml

from auditor.extract import regex_shape as rs
from auditor.extract.fast_patterns import FAST_PATTERNS
from tests.extract.test_fast_patterns import _CORPUS


def first(src: str) -> tuple[set[str], bool] | None:
    alts = rs.parse(src)
    assert alts is not None, src
    return rs.first_chars([("alt", alts)])


def lits(src: str, limit: int = 4) -> set[str]:
    alts = rs.parse(src)
    assert alts is not None, src
    return {w for w, _ in rs.literal_starts(alts, limit)}


def test_first_characters() -> None:
    assert first(r"\bfoo|(?<!x)[a-c]bar") == ({"f", "a", "b", "c"}, False)
    assert first(r"(?:a)?|b") == ({"a", "b"}, True)            # can match empty
    assert first(r"\d+\s*weeks") == ({"\\d"}, False)           # class escapes kept as escapes
    assert first(r"\w+|x") is None                             # \w: unknown
    assert first(r"[^a]x") is None                             # negated class: unknown
    assert first(r"(?P<n>\d)|(?=y)z") == ({"\\d", "z"}, False)  # named group; look-ahead is zero-width
    assert first(r"a{0,3}b") == ({"a", "b"}, False)
    assert first(r"[\s-]+x") == ({"\\s", "-"}, False)


def test_literal_prefixes() -> None:
    assert lits(r"\bCBT(?:-?I)?\b|\bcognitive\s+therap") == {"CBT", "CBT-", "CBTI", "cogn"}
    assert lits(r"\bS?AEs?\b") == {"AE", "AEs", "SAE", "SAEs"}
    assert lits(r"dis[ck]") == {"disc", "disk"}
    assert lits(r"x+y") == {"x"}                                # a repeat ends what is known
    assert "" in lits(r"\w+")


@pytest.mark.parametrize("src", [r"(?i)abc", r"(?(1)a|b)", r"(a", r"[abc", r"(?#comment)x"])
def test_unsupported_syntax_is_unknown(src: str) -> None:
    assert rs.parse(src) is None


def test_every_registered_pattern_is_analysed_or_left_alone() -> None:
    """Most rule patterns are understood (so they get their speed-up); none breaks the parser."""
    analysed = sum(rs.parse(src) is not None for src, _, _ in FAST_PATTERNS)
    assert analysed >= 0.9 * len(FAST_PATTERNS)


def test_corpus_exercises_the_patterns() -> None:
    """The shipped corpus is enough to test the speed-ups on a fresh clone: most patterns match in it."""
    texts = yaml.safe_load(_CORPUS.read_text("utf-8"))
    hit = sum(any(re.compile(src, flags).search(t) for t in texts) for src, flags, _ in FAST_PATTERNS)
    assert hit >= 0.5 * len(FAST_PATTERNS), f"{hit}/{len(FAST_PATTERNS)} patterns match the corpus"


def test_capturing_groups_are_counted_like_re() -> None:
    for src, flags, _ in FAST_PATTERNS:
        shape = rs.analyse(src)
        if shape is not None:
            assert shape[1] == re.compile(src, flags).groups, src
