"""compile_fast only adds a look-ahead the pattern already implies: same matches, same spans, same groups."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest
import yaml

import auditor.extract  # noqa: F401  (imports every extractor, which registers its patterns)
from auditor.extract.fast_patterns import FAST_PATTERNS, compile_fast
from auditor.model import Text, TrialRecord
from auditor.sources import read_paths
from tests.conftest import real_data_dir

_SAMPLES = ["", "No adverse events are expected. Side-effects, SF-36v2 and EQ-5D-5L at 12 weeks.",
            "Twice a week for six weeks; 12 sessions of CBT (cognitive-behavioural therapy) from Day 1 up to Week 6.",
            "İstanbul ſafety K-test ΚΑΛΗ", "patients\nwith chronic low back pain > 3 months", "ACT mindfulness app 8 weekly sessions"]


_CORPUS = Path(__file__).parent / "corpus" / "texts.yaml"


def corpus_texts() -> set[str]:
    """The test corpus written for these tests (always there), plus the real records' text when present."""
    texts = set(_SAMPLES) | set(yaml.safe_load(_CORPUS.read_text("utf-8")))
    folder = real_data_dir() / "ctgov-v2"
    if folder.is_dir():
        def walk(o: object) -> None:
            if isinstance(o, Text):
                texts.add(o.value)
            elif isinstance(o, (list, tuple)):
                for x in o:
                    walk(x)
            elif isinstance(o, msgspec.Struct):
                for k in o.__struct_fields__:
                    walk(getattr(o, k))
        for r in read_paths([str(folder)]):
            if isinstance(r, TrialRecord):
                walk(r)
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return sorted(corpus_texts())


def test_lookahead_is_added_only_when_first_characters_are_known() -> None:
    assert compile_fast(r"\bfoo|(?<!x)[a-c]bar", re.I).pattern.startswith("(?=[")
    assert not compile_fast(r"\w+|x").pattern.startswith("(?=")      # \w: unknown
    assert not compile_fast(r"(?:a)?|b").pattern.startswith("(?=")   # can match empty


@pytest.mark.parametrize("src,flags,fast", [p for p in FAST_PATTERNS if p[2].pattern != p[0]],
                         ids=lambda v: v[:40] if isinstance(v, str) else "")
def test_same_matches(src: str, flags: int, fast: re.Pattern[str], texts: list[str]) -> None:
    plain = re.compile(src, flags)
    for t in texts:
        assert [(m.span(), m.groups()) for m in plain.finditer(t)] == [(m.span(), m.groups()) for m in fast.finditer(t)], t[:200]
        assert (plain.match(t) is None) == (fast.match(t) is None)


def test_triggers() -> None:
    from auditor.extract.prefilter import TriggerIndex, trigger_words
    assert trigger_words(re.compile(r"\bCBT(?:-?I)?\b|\bcognitive\s+therap", re.I)) == ("cbt", "cogn")
    assert trigger_words(re.compile(r"\w+|x")) is None
    assert trigger_words(re.compile(r"(?:a)?b|c")) == ("ab", "b", "c")  # what matches start with
    assert trigger_words(re.compile(r"\bS?AEs?\b", re.I)) == ("ae", "sae")
    assert trigger_words(re.compile(r"CBT")) is None  # case-sensitive upper case
    index = TriggerIndex({"cbt": ("cbt", "cogn"), "act": ("act",), "any": None})
    assert index.possible("weekly cbt sessions") == {"cbt", "any"}
    assert index.possible("reactive cognition") == {"cbt", "act", "any"}  # overlapping words all count
    assert index.possible(None) == {"cbt", "act", "any"}  # not ASCII: every pattern runs


@pytest.mark.parametrize("src,flags,fast", FAST_PATTERNS, ids=lambda v: v[:40] if isinstance(v, str) else "")
def test_triggers_hold(src: str, flags: int, fast: re.Pattern[str], texts: list[str]) -> None:
    """Every match starts with a trigger word: tried only there, a pattern finds what a scan finds."""
    from auditor.extract.prefilter import TriggerIndex, ascii_lower, trigger_words
    index = TriggerIndex({"p": trigger_words(re.compile(src, flags))})
    for t in texts:
        low = ascii_lower(t)
        if fast.search(t):
            assert "p" in index.possible(low), (index.words, t[:200])
        anchored = [m.span() for m in index.finditer("p", fast, t, index.starts(low))]
        assert anchored == [m.span() for m in fast.finditer(t)], (index.words, t[:200])


def test_lexicon_patterns_match_like_the_flat_alternation(texts: list[str]) -> None:
    """instruments._combine hoists the shared look-behind and groups aliases by first letter."""
    from importlib import resources

    import yaml

    from auditor.extract import instruments

    raw = yaml.safe_load(resources.files("auditor.extract").joinpath("lexicon.yaml").read_text("utf-8"))
    for items in raw.values():
        for spec in items.values():
            parts = [instruments._alias_pattern(a) for a in spec.get("aliases", [])] + list(spec.get("patterns", []))
            flat = re.compile("|".join(f"(?:{p})" for p in parts), re.I)
            combined = re.compile(instruments._combine(parts), re.I)
            for t in texts:
                assert [m.span() for m in flat.finditer(t)] == [m.span() for m in combined.finditer(t)], t[:200]


def test_guards_hold(texts: list[str]) -> None:
    """A Guarded pattern skips a text only when the pattern cannot match it."""
    from auditor.extract.prefilter import GUARDED, lower_cached

    assert len(GUARDED) >= 4
    for guarded in GUARDED:
        for t in texts:
            assert [m.span() for m in guarded.finditer(t)] == [m.span() for m in guarded.pattern.finditer(t)], \
                (guarded.required, t[:200])
        lower_cached.cache_clear()


def test_guard_skips_what_lacks_the_required_text() -> None:
    from auditor.extract.prefilter import GUARDED

    calc = next(g for g in GUARDED if "power" in g.required)
    assert calc.search("A sample size of 120 gives 90% power.") is not None
    assert not calc.may_match("Patients with chronic low back pain were randomised.")
    # Not ASCII: tested on the folded lower case (long s is "s"), a non-ASCII word by `re` itself.
    assert calc.may_match("ſample ſize calculation") and calc.search("ſample ſize calculation")
    assert not calc.may_match("Patients aged ≥ 18 with chronic low back pain were randomised.")
    assert calc.may_match("Statistical POWER ≥ 80%") and calc.search("Statistical POWER ≥ 80%")
    assert calc.may_match("significance level Α = 0.05")  # capital alpha: re.IGNORECASE equates it with α
    assert calc.may_match("İstanbul: 90% power")  # "İ" lowers to two characters: scanned whole


def test_anchored_lexicon_search_finds_what_a_full_scan_finds(texts: list[str]) -> None:
    from auditor.extract import instruments
    from auditor.extract.prefilter import lower_cached

    entries = [e for es in instruments.LEXICON.values() for e in es]
    assert sum(e.anchored for e in entries) > len(entries) // 2
    assert all(e.anchored for e in entries if e.name in ("NHP", "HUI"))  # case-sensitive parts are anchored too
    for t in texts + ["SF36 and sf-36v2; EQ5D and eq-5d-5l. ODI/ODI", "xsf-36 SF-36", "NHP nhp Nhp; Dr Hui, HUI3, hui2",
                      "backpain; low back pain intensity; physical functioning status"]:
        for e in entries:
            assert [m.span() for m in instruments._finditer(e, t)] == [m.span() for m in e.pattern.finditer(t)], \
                (e.name, t[:200])
        lower_cached.cache_clear()


def test_lexicon_word_gate_finds_what_the_trigger_gate_finds(texts: list[str]) -> None:
    """instruments.scan tries an entry only when all the words of one of its aliases (or a trigger of
    its patterns) occur in the text: on the real records it finds what trying every entry with a
    trigger word in the text finds."""
    from auditor.extract import instruments
    from auditor.extract.prefilter import lower_cached

    cats = tuple(instruments.LEXICON)
    for t in texts + ["Pain NRS; pain (numeric rating scale); Short Form 36; shortform-36 and SF36"]:
        words = instruments.words(t)
        tried = {cat: [i for i, e in enumerate(es) if e.triggers & words] for cat, es in instruments.LEXICON.items()}
        every = {cat: hits for cat in cats if (hits := instruments._mentions(cat, t, tried[cat]))}
        assert instruments.scan(t, cats) == every, t[:200]
        lower_cached.cache_clear()
        instruments.words.cache_clear()
