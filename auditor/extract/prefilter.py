"""Cheap tests that rule a pattern out before it runs, on the lower-cased text.

Only ASCII text is tested this way (there re.IGNORECASE is exactly lower-casing); other text always
runs the pattern. tests/extract/test_fast_patterns.py holds every test to its pattern on the real
records' text.

- `trigger_words(pattern)`: literals one of which every match starts with, read off the pattern's
  source (`regex_shape`); `TriggerIndex` finds where the words of many patterns occur in a text with one
  Aho-Corasick pass (ahocorasick_rs), then tries each pattern only at its words' positions instead
  of scanning the text once per pattern;
- `Guarded`: a pattern behind a declared list of what every match contains.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

import ahocorasick_rs

from auditor import derived
from auditor.extract import regex_shape
from auditor.extract.fast_patterns import ascii_pattern, source_of
from auditor.extract.record_cache import per_record


def trigger_words(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Lower-case literals one of which every match of `pattern` starts with, or None when unknown.

    Read off the source (a lazy pattern stays uncompiled), once per pattern and flags: the answer
    is kept across runs (`derived`)."""
    source, flags = source_of(pattern)
    words = derived.memo("trigger_words", f"{flags}\0{source}", _trigger_words, source, flags)
    return None if words is None else tuple(words)


def _trigger_words(source: str, flags: int) -> tuple[str, ...] | None:
    alts = regex_shape.parse(source)
    if alts is None:
        return None  # not analysed: no pre-filter, the pattern still runs
    lits = {p for p, _ in regex_shape.literal_starts(alts)}
    if not lits or "" in lits or not all(p.isascii() for p in lits):
        return None
    if not flags & re.I and any(p != p.lower() for p in lits):
        return None  # case-sensitive upper-case literal: a lower-cased text test would be wrong
    words = {p.lower() for p in lits}
    # A match that starts with "cbt-" starts with "cbt": keep only the shortest prefix ("sae" stays
    # beside "ae": a match starting "sae" does not start with "ae").
    return tuple(sorted(w for w in words if not any(v != w and w.startswith(v) for v in words)))


class TriggerIndex:
    """Which of several named patterns can match a text, from their trigger words, in one pass."""

    def __init__(self, words_by_name: Mapping[str, tuple[str, ...] | None]):
        self.names = frozenset(words_by_name)
        self.always = frozenset(name for name, words in words_by_name.items() if words is None)
        owners: dict[str, set[str]] = {}
        for name, words in words_by_name.items():
            for word in words or ():
                owners.setdefault(word, set()).add(name)
        self.words = sorted(owners)
        self.owners = [frozenset(owners[w]) for w in self.words]
        self._owner_tuples = [tuple(o) for o in self.owners]  # iterated per match: tuples are cheaper
        self._automaton = ahocorasick_rs.AhoCorasick(self.words) if self.words else None

    def possible(self, low: str | None) -> frozenset[str]:
        """The names whose pattern may match the text lower-cased as `low` (None: not ASCII, all)."""
        starts = self.starts(low)
        return self.names if starts is None else self.always | starts.keys()

    def starts(self, low: str | None) -> dict[str, list[int]] | None:
        """Per name, where its trigger words start in `low` (sorted; None: not ASCII, no positions)."""
        if low is None:
            return None
        found: dict[str, list[int]] = {}
        if self._automaton is None:
            return found
        owners = self._owner_tuples
        # A text holds a few matches (~6 on the real records): plain appends, and sorting only
        # the names found more than once (two of a name's words may start at one position).
        for index, start, _ in self._automaton.find_matches_as_indexes(low, overlapping=True):
            for name in owners[index]:
                at = found.get(name)
                if at is None:
                    found[name] = [start]
                else:
                    at.append(start)
        for name, at in found.items():
            if len(at) > 1:
                found[name] = sorted(set(at))
        return found

    def finditer(self, name: str, pattern: re.Pattern[str], text: str,
                 starts: dict[str, list[int]] | None) -> Iterator[re.Match[str]]:
        """pattern.finditer(text), tried only where one of its trigger words starts.

        Trigger words are what every match starts with, so in ASCII text (where re.IGNORECASE is
        lower-casing) the matches are the first that succeed at those positions, in order, skipping
        positions inside the previous match: a few anchored tries instead of a scan of the text."""
        if starts is None:
            return pattern.finditer(text)
        if name in self.always:
            return (ascii_pattern(pattern) if text.isascii() else pattern).finditer(text)
        return anchored(pattern, text, starts.get(name, ()))


def anchored(pattern: re.Pattern[str], text: str, starts: Iterable[int],
             endpos: int | None = None) -> Iterator[re.Match[str]]:
    """pattern.finditer(text, endpos=endpos) when `starts` (ascending) holds every position a match
    can start at: the first match at each, skipping positions inside the previous match.

    On ASCII text (97% of registry texts) the pattern's ASCII twin tries the positions: the same
    matches without `re`'s Unicode tables for every \\b and case-insensitive letter."""
    if text.isascii():
        pattern = ascii_pattern(pattern)
    stop = len(text) if endpos is None else endpos
    end = 0
    for at in starts:
        if at >= end and (m := pattern.match(text, at, stop)):
            end = max(m.end(), at + 1)
            yield m


def occurrences(low: str, words: Iterable[str]) -> list[int]:
    """Every position (ascending) where one of `words` occurs in `low`: the starts `anchored` tries."""
    at: set[int] = set()
    for word in words:
        i = low.find(word)
        while i >= 0:
            at.add(i)
            i = low.find(word, i + 1)
    return sorted(at)


def ascii_lower(value: str) -> str | None:
    return value.lower() if value.isascii() else None


# The lower-cased text for Guarded patterns; emptied after each record (a record_cache.per_record cache).
lower_cached = per_record(maxsize=512)(ascii_lower)


def folded_lower(value: str) -> str | None:
    """`value` lower-cased character for character, with the two non-ASCII letters re.IGNORECASE
    equates with ASCII ones and lower() keeps (dotless i, long s) folded: an ASCII letter stands
    in it exactly where the text has a character that matches that letter case-insensitively
    (Kelvin sign lowers to "k"), every other character stays a character that is no ASCII letter
    or digit, and positions agree. None when a character lowers to two ("İ"). Long registry texts
    often hold one non-ASCII character ("≥", "®"): a third of the description and eligibility
    text, which the ASCII-only tests would scan whole."""
    if value.isascii():
        return value.lower()
    low = value.lower()
    if len(low) != len(value):
        return None
    if "\u0131" in low or "\u017f" in low:
        low = low.replace("\u0131", "i").replace("\u017f", "s")
    return low


# folded_lower of the few non-ASCII texts a record's Guarded patterns read (ASCII texts share
# lower_cached); emptied after each record like lower_cached (a record_cache.per_record cache).
folded_other = per_record(maxsize=16)(folded_lower)


def folded_cached(value: str) -> str | None:
    return lower_cached(value) if value.isascii() else folded_other(value)


class Guarded:
    """A pattern behind a cheap test of what every match contains.

    Long narrative texts (descriptions, eligibility) cost ~20 ns a character per scan with a
    case-insensitive pattern, and most never match. `required` names what any match must contain,
    as lower-case literals (tested with `in`) or case-sensitive patterns that start with a literal
    (`re` finds a literal prefix with a fast scan), all run on the lower-cased text: when none is
    there, the pattern cannot match and is not run. Only ASCII text is tested that way (there
    re.IGNORECASE is exactly lower-casing); other text always runs the pattern.
    tests/extract/test_fast_patterns.py holds every guard to its pattern on the real records' text.
    """

    def __init__(self, pattern: re.Pattern[str], *required: str):
        self.pattern = pattern
        self.required = required
        self.words = tuple(r for r in required if re.escape(r) == r)
        self.patterns = tuple(re.compile(r) for r in required if re.escape(r) != r)
        # A non-ASCII word is tested on non-ASCII text by `re` itself (case-insensitively): which
        # characters re.IGNORECASE equates with it is re's own business.
        self._ascii_words = tuple(w for w in self.words if w.isascii())
        self._other_words = tuple(re.compile(re.escape(w), re.IGNORECASE) for w in self.words if not w.isascii())
        self._triggers: tuple[str, ...] | None = None
        self._triggers_read = False  # trigger words are read off the source on first use
        GUARDED.append(self)

    def may_match(self, text: str) -> bool:
        low = lower_cached(text)
        if low is None:
            return self._may_match_other(text)
        for word in self.words:  # plain loops: this runs for every long text, generators cost more here
            if word in low:
                return True
        for pattern in self.patterns:  # noqa: SIM110 - a plain loop, as above: any() costs more here
            if pattern.search(low):
                return True
        return False

    def _may_match_other(self, text: str) -> bool:
        """may_match for non-ASCII text, on its folded lower case (`folded_lower`: an ASCII letter
        there wherever the text has a character matching it case-insensitively)."""
        low = folded_other(text)
        if low is None:
            return True
        for word in self._ascii_words:
            if word in low:
                return True
        for pattern in self.patterns:
            if pattern.search(low):
                return True
        return any(w.search(text) for w in self._other_words)

    def search(self, text: str) -> re.Match[str] | None:
        if not self.may_match(text):
            return None
        tries = self._few_tries(text)
        return next(tries, None) if tries is not None else self._scanned(text).search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if not self.may_match(text):
            return iter(())
        return self._few_tries(text) or self._scanned(text).finditer(text)

    def _scanned(self, text: str) -> re.Pattern[str]:
        """The pattern that scans `text` whole: its ASCII twin on ASCII text."""
        return ascii_pattern(self.pattern) if text.isascii() else self.pattern

    def _few_tries(self, text: str) -> Iterator[re.Match[str]] | None:
        """The matches by anchored tries where the pattern's trigger words occur (the same matches,
        see TriggerIndex.finditer), when they occur rarely enough that a few tries beat one scan of
        the text; None otherwise (not ASCII, no trigger words known, or too many occurrences)."""
        if not self._triggers_read:
            self._triggers, self._triggers_read = trigger_words(self.pattern), True
        if self._triggers is None:
            return None
        # Trigger words are ASCII: in the folded text they stand wherever a match can start.
        low = folded_cached(text)
        if low is None:
            return None
        at = occurrences(low, self._triggers)
        # One anchored try costs about what a scan of ~30 characters does.
        return anchored(self.pattern, text, at) if len(at) * 32 <= len(text) else None


GUARDED: list[Guarded] = []
