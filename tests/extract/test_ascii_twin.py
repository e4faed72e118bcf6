"""The ASCII twin of a lazy pattern (fast_patterns.ascii_source) finds on ASCII text exactly what
the pattern as written finds: same spans, same groups."""

from __future__ import annotations

import re

import pytest

import auditor.extract  # noqa: F401  (imports every extractor, which registers its patterns)
from auditor.extract.fast_patterns import (
    LAZY_PATTERNS,
    ascii_pattern,
    ascii_source,
    ascii_twin,
    compile_fast,
    lazy_compile,
)
from tests.extract.test_fast_patterns import corpus_texts

# Separators that Unicode \s takes and ASCII \s does not, beside ordinary text.
_EDGES = ["a\x1cb 12\x1dweeks", "low\x1eback\x1fpain", "x\x0bY\x0cz", "sample\x1csize calculation", "_a_ 1_2"]


@pytest.fixture(scope="module")
def ascii_texts() -> list[str]:
    texts = corpus_texts() | set(_EDGES)
    # Joined into a few long texts (one call per pattern and text costs more than the scan): the
    # twin must agree with the pattern on any ASCII text, these included.
    ordered = sorted(t for t in texts if t.isascii())
    return ["\n".join(ordered[i:i + 400]) for i in range(0, len(ordered), 400)] + _EDGES


def test_every_lazy_pattern_has_a_twin() -> None:
    missing = [p.source[:60] for p in LAZY_PATTERNS if ascii_twin(p._compiled_source(), p.source_flags) is None]
    assert not missing


def test_twins_match_like_the_patterns(ascii_texts: list[str]) -> None:
    for p in LAZY_PATTERNS:
        source = p._compiled_source()
        plain, twin = re.compile(source, p.source_flags), ascii_twin(source, p.source_flags)
        assert twin is not None
        for t in ascii_texts:
            assert [(m.span(), m.groups()) for m in plain.finditer(t)] == \
                [(m.span(), m.groups()) for m in twin.finditer(t)], (source[:80], t[:200])


def test_spaces_are_spelt_out() -> None:
    twin = ascii_twin(r"a\sb[\s-]c\Sd", 0)
    assert twin is not None
    assert twin.search("a\x1cb\x1fc\x1cd") is None and twin.search("a\x1cb\x1fcxd")
    assert re.compile(r"a\sb").search("a\x1cb")  # Unicode \s takes the separator too


def test_no_twin_where_modes_may_differ() -> None:
    assert ascii_source("[\u0100-\u0200]", re.I) is None  # a range may hold a letter that folds (ſ)
    assert ascii_source("\u017f", re.I) is None
    assert ascii_source(r"\u017f", re.I) is None
    assert ascii_source(r"[^\S]", 0) is None
    assert ascii_source("(?u)a", 0) is None and ascii_source("a", re.VERBOSE) is None
    assert ascii_source(r"[]\s]x", 0) == "[]\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f ]x"


def test_ascii_pattern() -> None:
    from auditor.extract.prefilter import anchored

    p = compile_fast(r"\bweeks?\b|\bmonths?\b", re.I)
    assert p.ascii.flags & re.ASCII and p.ascii.search("12 Weeks").span() == (3, 8)
    assert ascii_pattern(p) is p.ascii
    plain = re.compile(r"(?P<n>\d+)\s*(?P<u>d)")
    assert ascii_pattern(plain).flags & re.ASCII and ascii_pattern(plain).groupindex == plain.groupindex
    assert ascii_pattern(re.compile("[\u0100-\u0200]", re.I)).flags & re.ASCII == 0  # no twin: itself
    q = lazy_compile(r"\bweek\s\d")
    assert [m.span() for m in anchored(q, "week\x1c1 Week 2", [0, 8])] == [(0, 6)]  # Unicode \s: the separator
    assert [m.span() for m in anchored(q, "wéek 1 week\x1c2", [7])] == [(7, 13)]
