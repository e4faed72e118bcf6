"""Finding the harms rules in a text: outcome terms where their first words occur, prose patterns
shortly before an aim term, and the checks a match must pass (no exception phrase around it, not
negated as an expectation, not a past finding)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from auditor.extract import instruments
from auditor.extract.instruments import negated
from auditor.extract.prefilter import anchored, lower_cached, occurrences
from auditor.extract.record_cache import per_record
from auditor.extract.safety.patterns import (
    AIM_TERM,
    AIM_TERMS,
    BACKGROUND,
    BEFORE,
    EXCEPTION,
    EXCEPTION_REACH,
    EXCEPTION_STARTS,
    EXPECTATION,
    OUTCOME,
    OUTCOME_STARTS,
    PROSE,
    STARTS,
    TOKEN,
    Words,
)


@per_record(maxsize=256)
def folded(text: str) -> str:
    """`text` lower-cased position for position, with the four characters re.IGNORECASE also
    matches ASCII letters with (Unicode simple case mappings) folded: a trigger-word look-up in it
    finds every place a rule can match. Emptied by derive() for each record."""
    low = lower_cached(text)
    if low is not None:
        return low
    low = text.lower()
    if len(low) != len(text):  # "İ" lower-cases to two characters
        return text.translate(_FOLD_WIDE)
    return low.replace("\u017f", "s").replace("\u0131", "i")


_FOLD_WIDE = str.maketrans({"\u0130": "i", **{chr(c): chr(c + 32) for c in range(65, 91)},
                            "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def anchored_words(pattern: re.Pattern[str], starts: frozenset[str], text: str) -> list[re.Match[str]]:
    """pattern.finditer(text) for a pattern whose matches start with one of the words `starts`:
    tried only where those words occur (short outcome texts; the words of ASCII texts are
    tokenised once per record by instruments.words)."""
    if text.isascii():  # the usual case: a word-set test, on words other extractors tokenised too
        present = starts & instruments.words(text)
        if not present:
            return []
        low = lower_cached(text) or text.lower()
    else:
        low = folded(text)
        present = starts.intersection(TOKEN.findall(low))
    return list(anchored(pattern, text, occurrences(low, present)))


def aim_terms(text: str) -> list[re.Match[str]]:
    """Where the aim terms of `text` are."""
    return list(anchored(AIM_TERM, text, AIM_TERMS.starts(folded(text))))


def _at_words(words: Words, pattern: re.Pattern[str], text: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
    """Matches of `pattern` starting in text[lo:hi] where one of its trigger words starts (the
    stretch is short: slicing and one Aho-Corasick pass beat a scan with pos/endpos)."""
    for at in words.starts(folded(text)[lo:hi + words.longest]):  # a trigger word may run past hi
        if lo + at < hi and (m := pattern.match(text, lo + at)):
            yield m


def near(kind: str, text: str, terms: list[re.Match[str]]) -> Iterator[re.Match[str]]:
    """PROSE[kind].finditer(text) for a prose pattern whose matches contain an aim term, tried only
    shortly before each aim term (a long description is not scanned whole)."""
    tried: set[int] = set()
    for term in terms:
        for m in _at_words(STARTS[kind], PROSE[kind], text, max(0, term.start() - BEFORE), term.start() + 1):
            if m.start() not in tried:
                tried.add(m.start())
                yield m


def _excepted(text: str, start: int, end: int) -> bool:
    """The span lies inside an exception phrase ("psychological safety", "self-harm")."""
    matches = _at_words(EXCEPTION_STARTS, EXCEPTION, text, max(0, start - EXCEPTION_REACH), start + 1)
    return any(m.start() <= start and end <= m.end() for m in matches)


def _background(text: str, m: re.Match[str]) -> bool:
    """The words before the match in its sentence report an earlier finding ("has demonstrated the")."""
    head = text[max(0, m.start() - 120):m.start()]
    head = re.split(r"[.;:\n]", head)[-1]
    return bool(BACKGROUND.search(head))


def valid_outcome(text: str, matches: Iterable[re.Match[str]]) -> re.Match[str] | None:
    """The first harms term of an outcome text that is not an exception, nor negated as an
    expectation ("no adverse events are expected"; "no major AEs" in a composite still counts)."""
    for m in matches:
        if _excepted(text, m.start(), m.end()):
            continue
        if negated(text, m.start(), m.end()) and EXPECTATION.search(text, max(0, m.start() - 60), m.end() + 60):
            continue
        return m
    return None


def _valid_prose(text: str, matches: Iterable[re.Match[str]]) -> re.Match[str] | None:
    """The first prose match that is not negated, not a past finding, and whose aim terms are not
    all inside exception phrases ("to evaluate psychological safety")."""
    for m in matches:
        if negated(text, m.start(), m.end()) or _background(text, m):
            continue
        terms = ((m.start() + t.start(), m.start() + t.end()) for t in AIM_TERM.finditer(m.group(0)))
        if any(not _excepted(text, a, b) for a, b in terms):
            return m
    return None


def prose_first(text: str, *kinds: str) -> re.Match[str] | None:
    """The first valid match in prose of the rule kinds named, tried in that order."""
    terms = aim_terms(text)
    if not terms:
        return None
    for kind in kinds:
        if m := _valid_prose(text, near(kind, text, terms)):
            return m
    return None


def harm_term(text: str) -> re.Match[str] | None:
    """The first harms term of an outcome text ("Number of participants with adverse events")."""
    return valid_outcome(text, anchored_words(OUTCOME, OUTCOME_STARTS, text)) if text else None
