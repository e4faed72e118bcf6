"""Faster compiled patterns with the same matches (compile_fast), and literal pre-filters (triggers).

`re` runs a pattern's alternatives one by one at every position of the text, and does not skip a
case-insensitive alternative by its first character. The helpers here read a pattern's parsed form
to find what every match must start with or contain, and restate it so `re` rejects most positions
early. They never change what a pattern matches: tests/extract/test_fast_patterns.py compares every
pattern with its plain compiled form on the real records' text.
"""

from __future__ import annotations

import re
import re._constants as _sc
from collections.abc import Iterator
from functools import lru_cache
import re._parser as _sp

FAST_PATTERNS: list[tuple[str, int, re.Pattern[str]]] = []  # (source, flags, compiled) for the tests

_CATEGORIES = {_sc.CATEGORY_DIGIT: r"\d", _sc.CATEGORY_SPACE: r"\s"}


def _first_seq(items) -> tuple[set[str], bool] | None:
    """Characters a match of the parsed sequence `items` can start with, and whether it can be empty.
    None: unknown (a category such as \\w, a negated class, '.', a back-reference ...)."""
    chars: set[str] = set()
    for op, av in items:
        if op is _sc.LITERAL:
            chars.add(chr(av))
            return chars, False
        if op is _sc.IN:
            for o, a in av:
                if o is _sc.LITERAL:
                    chars.add(chr(a))
                elif o is _sc.RANGE and a[1] - a[0] < 128:
                    chars.update(chr(c) for c in range(a[0], a[1] + 1))
                elif o is _sc.CATEGORY and a in _CATEGORIES:
                    chars.add(_CATEGORIES[a])  # kept as the class escape ("\\d"): Unicode digits too
                else:
                    return None
            return chars, False
        if op in (_sc.AT, _sc.ASSERT, _sc.ASSERT_NOT):
            continue  # zero-width: the first character comes from what follows
        if op is _sc.SUBPATTERN:
            if av[1] or av[2]:
                return None  # local flags: leave the pattern alone
            sub = _first_seq(av[3])
        elif op is _sc.BRANCH:
            subs = [r for b in av[1] if (r := _first_seq(b)) is not None]
            if len(subs) != len(av[1]):
                return None
            sub = (set().union(*(r[0] for r in subs)), any(r[1] for r in subs))
        elif op in (_sc.MAX_REPEAT, _sc.MIN_REPEAT, _sc.POSSESSIVE_REPEAT):
            sub = _first_seq(av[2])
            if sub is not None and av[0] == 0:
                sub = (sub[0], True)
        elif op is _sc.ATOMIC_GROUP:
            sub = _first_seq(av)
        else:
            return None
        if sub is None:
            return None
        chars |= sub[0]
        if not sub[1]:
            return chars, False
    return chars, True


def _at_boundary(items) -> bool:
    """Every match of the parsed `items` starts with \\b."""
    if not len(items):
        return False
    op, av = items[0]
    if op is _sc.AT:
        return av is _sc.AT_BOUNDARY
    if op is _sc.BRANCH:
        return all(_at_boundary(b) for b in av[1])
    if op is _sc.SUBPATTERN and not av[1] and not av[2]:
        return _at_boundary(av[3])
    return False


def _split_top(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern's source ("a|(b|c)|[|]" -> ["a", "(b|c)", "[|]"])."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 1
            if pattern[i:i + 1] == "^":
                i += 1
            if pattern[i:i + 1] == "]":  # "[]..." and "[^]...": the first "]" is a literal
                i += 1
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _grouped(pattern: str, flags: int, parsed: _sp.SubPattern) -> str:
    """The top-level alternatives grouped by the letters they can start with, each group behind a
    look-ahead: "\\bsurg|\\bdisc|\\bstim" -> "(?=[s])(?:\\bsurg|\\bstim)|(?=[d])(?:\\bdisc)".

    Alternatives that start with different letters never match at the same position, so only the
    order among alternatives sharing a letter matters (kept: groups that share a letter are merged,
    in pattern order). `re` does not skip a case-insensitive alternative by its first character; the
    look-ahead does it once per group. Left as it is when there are capturing groups (their numbers
    would move) or an alternative's first characters are unknown."""
    parts = _split_top(pattern)
    if len(parts) < 4 or parsed.state.groups != 1:
        return pattern
    groups: list[tuple[set[str], list[int]]] = []  # (letters, indexes of the alternatives)
    for i, part in enumerate(parts):
        first = _first_seq(_sp.parse(part, flags))
        if first is None or first[1] or not all(c.isascii() and c.isalnum() for c in first[0]):
            return pattern
        letters = {c.lower() for c in first[0]} if flags & re.I else set(first[0])
        merged = (letters, [i])
        for g in [g for g in groups if g[0] & letters]:
            groups.remove(g)
            merged = (merged[0] | g[0], sorted(merged[1] + g[1]))
        groups.append(merged)
    if len(groups) == 1:
        return pattern
    groups.sort(key=lambda g: g[1][0])
    return "|".join(f"(?=[{''.join(sorted(letters))}])(?:{'|'.join(parts[i] for i in idx)})" for letters, idx in groups)


def compile_fast(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """re.compile, plus a look-ahead on the characters a match can start with when they are known.

    `re` tries every alternative of a pattern like r"\\bfoo|\\bbar" at every position of the text;
    the look-ahead rejects most positions with one character-class test (several times faster on
    long descriptions). It only restates what the pattern requires, so matches and spans are the
    same (tests/extract/test_fast_patterns.py checks this on every real record's text)."""
    try:
        compiled = _restated(pattern, flags)
    except Exception:  # noqa: BLE001 - re._parser is private: if a Python release changes it, fall back
        compiled = re.compile(pattern, flags)
    FAST_PATTERNS.append((pattern, flags, compiled))
    return compiled


def _restated(pattern: str, flags: int) -> re.Pattern[str]:
    parsed = _sp.parse(pattern, flags)  # parsing is most of the import-time cost: once per pattern
    first = _first_seq(parsed)
    if first is None or first[1] or not first[0]:
        return re.compile(pattern, flags)
    cls = "".join(sorted(c if len(c) > 1 else re.escape(c) for c in first[0]))
    # When every alternative starts at a word boundary, test that first: it rejects the positions
    # inside words more cheaply than the class.
    boundary = r"\b" if _at_boundary(parsed) else ""
    return re.compile(f"{boundary}(?=[{cls}])(?:{_grouped(pattern, flags, parsed)})", flags)


def _literals(items, limit: int = 4) -> set[tuple[str, bool]]:
    """(literal, complete) pairs: every match of the parsed `items` starts with one of the literals
    (complete: the whole match is exactly that literal). Literals stop at `limit` characters or at
    the first construct that is not a plain character; "" means nothing is known."""
    out = {("", True)}
    for op, av in items:
        if not any(c for _, c in out):
            break
        if op in (_sc.AT, _sc.ASSERT, _sc.ASSERT_NOT):
            continue  # zero-width
        if op is _sc.LITERAL:
            ext = {(chr(av), True)}
        elif op is _sc.SUBPATTERN and not av[1] and not av[2]:
            ext = _literals(av[3], limit)
        elif op is _sc.BRANCH:
            ext = set().union(*(_literals(b, limit) for b in av[1]))
        elif op in (_sc.MAX_REPEAT, _sc.MIN_REPEAT) and av[:2] == (0, 1):
            ext = _literals(av[2], limit) | {("", True)}  # optional part: "s?"
        elif op in (_sc.MAX_REPEAT, _sc.MIN_REPEAT) and av[0] >= 1:
            ext = {(q, False) for q, _ in _literals(av[2], limit)}
        else:
            ext = {("", False)}
        new: set[tuple[str, bool]] = set()
        for p, c in out:
            for q, d in (ext if c else {("", False)}):
                word, done = p + q, c and d
                new.add((word[:limit], done and len(word) <= limit))
        out = new
    return out


def triggers(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A plain alternation of lower-case literals one of which every match of `pattern` contains, or
    None when unknown.

    Test it with `may_match` on the lower-cased text: a literal scan (re finds its first characters
    with a fast character-set loop) is far cheaper than the full pattern. Only for ASCII text (there
    re.IGNORECASE is exactly lower-casing)."""
    try:
        lits = {p for p, _ in _literals(_sp.parse(pattern.pattern, pattern.flags))}
    except Exception:  # noqa: BLE001 - private parser changed: no pre-filter, the pattern still runs
        return None
    if not lits or "" in lits or not all(p.isascii() for p in lits):
        return None
    if not pattern.flags & re.I and any(p != p.lower() for p in lits):
        return None  # case-sensitive upper-case literal: a lower-cased text test would be wrong
    words = {p.lower() for p in lits}
    # "cbt" is in every text that has "cbt-": keep only the shortest.
    kept = sorted(w for w in words if not any(v != w and v in w for v in words))
    return re.compile("|".join(re.escape(w) for w in kept))


def may_match(trigger_words: re.Pattern[str] | None, low: str | None) -> bool:
    """False only when the pattern with these triggers cannot match: `low` is the ASCII text lower-cased
    (None for non-ASCII text, which is always scanned)."""
    return low is None or trigger_words is None or trigger_words.search(low) is not None


def ascii_lower(value: str) -> str | None:
    return value.lower() if value.isascii() else None


# The lower-cased text for Guarded patterns; emptied after each record (extract._PER_RECORD_CACHES).
lower_cached = lru_cache(maxsize=512)(ascii_lower)


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
        GUARDED.append(self)

    def may_match(self, text: str) -> bool:
        low = lower_cached(text)
        return low is None or any(w in low for w in self.words) or any(p.search(low) for p in self.patterns)

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.may_match(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self.may_match(text) else iter(())


GUARDED: list[Guarded] = []
