"""Small shared helpers: number words, unit conversion, quoting spans of a record's text.

Everything here is compiled once at import; extractors call these per record.
"""

from __future__ import annotations

import re
import re._constants as _sc
import re._parser as _sp
from collections.abc import Iterable, Iterator

from auditor.facts import Evidence
from auditor.model import Arm, Intervention, Text, TrialRecord

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
            subs = [_first_seq(b) for b in av[1]]
            if any(r is None for r in subs):
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


def _grouped(pattern: str, flags: int) -> str:
    """The top-level alternatives grouped by the letters they can start with, each group behind a
    look-ahead: "\\bsurg|\\bdisc|\\bstim" -> "(?=[s])(?:\\bsurg|\\bstim)|(?=[d])(?:\\bdisc)".

    Alternatives that start with different letters never match at the same position, so only the
    order among alternatives sharing a letter matters (kept: groups that share a letter are merged,
    in pattern order). `re` does not skip a case-insensitive alternative by its first character; the
    look-ahead does it once per group. Left as it is when there are capturing groups (their numbers
    would move) or an alternative's first characters are unknown."""
    parts = _split_top(pattern)
    if len(parts) < 4 or _sp.parse(pattern, flags).state.groups != 1:
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
    first = _first_seq(_sp.parse(pattern, flags))
    if first is None or first[1] or not first[0]:
        compiled = re.compile(pattern, flags)
    else:
        cls = "".join(sorted(c if len(c) > 1 else re.escape(c) for c in first[0]))
        # When every alternative starts at a word boundary, test that first: it rejects the positions
        # inside words more cheaply than the class.
        boundary = r"\b" if _at_boundary(_sp.parse(pattern, flags)) else ""
        compiled = re.compile(f"{boundary}(?=[{cls}])(?:{_grouped(pattern, flags)})", flags)
    FAST_PATTERNS.append((pattern, flags, compiled))
    return compiled


FAST_PATTERNS: list[tuple[str, int, re.Pattern[str]]] = []  # (source, flags, compiled) for the tests

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
    lits = {p for p, _ in _literals(_sp.parse(pattern.pattern, pattern.flags))}
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


# Number words registries use in time frames and schedules ("Twelve and Twenty-four months").
_ONES = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
         "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
             "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "fifteenth": 15,
             "twentieth": 20, "thirtieth": 30}
WORDS: dict[str, float] = {**_ONES, **_TENS, "hundred": 100, "half": 0.5}
for _t, _tv in _TENS.items():
    for _o, _ov in list(_ONES.items())[1:10]:
        WORDS[f"{_t}-{_o}"] = _tv + _ov
        WORDS[f"{_t} {_o}"] = _tv + _ov
for _o, _ov in _ORDINALS.items():
    WORDS[_o] = _ov

def _trie(words: list[str]) -> str:
    """An alternation of `words` as a prefix tree ("t(?:w(?:elve|enty(?:-four|...)?)|...)").

    `re` tries the alternatives of a flat list one by one (~150 number words at every word start);
    the tree tests each character once. At every node the longer words come before the word that
    ends there, so the tree matches like the flat list sorted longest first ("twenty-four" wins over
    "twenty", and "twenty" is still tried when what follows rules the longer word out)."""
    if words == [""]:
        return ""
    heads: dict[str, list[str]] = {}
    for w in words:
        if w:
            heads.setdefault(w[0], []).append(w[1:])
    alts = [re.escape(c) + _trie(rest) for c, rest in heads.items()]
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if "" in words:
        return f"(?:{body})?"
    return body


# Longest first so that "twenty-four" wins over "twenty" (the tree keeps that order).
_WORD_ALT = _trie([w for w in WORDS if w != "half"])
# A number: digits (1, 1.5, 1,000 is not a time), a number word, or a digit ordinal (6th, 1st).
# The leading look-ahead lists the first letters of every number word: without it the engine tries
# ~150 word alternatives at every character (13x slower on long descriptions).
NUM = rf"\b(?<!\.)(?=[\dzotfsenhZOTFSENH])(?:\d+(?:\.\d+)?(?:st|nd|rd|th)?|(?:{_WORD_ALT})\b)"
NUM_RE = re.compile(NUM, re.I)

# Weeks per unit; a month is 52/12 weeks so that 12 months = 52 weeks, 6 months = 26 weeks.
UNIT_WEEKS = {"minute": 1 / 10080, "hour": 1 / 168, "day": 1 / 7, "week": 1.0,
              "month": 52 / 12, "year": 52.0}
_UNIT_NORMAL = [(re.compile(p, re.I), u) for p, u in (
    (r"^min", "minute"), (r"^h", "hour"), (r"^d", "day"), (r"^w", "week"),
    (r"^mo|^m$|^mths?$", "month"), (r"^y", "year"))]


def lowered(value: str) -> str:
    """`value` in lower case with the same length, so match spans map back onto the original.

    Patterns that start with a number scan ~3x faster case-sensitively on lowered text than with
    re.IGNORECASE. A few characters change length when lowered ("İ"); those are kept as they are.
    """
    low = value.lower()
    if len(low) == len(value):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in value)


def unit_of(token: str) -> str:
    """Normalise a unit token ("wks", "Months", "mo") to a UNIT_WEEKS key."""
    token = token.lower()
    for pattern, unit in _UNIT_NORMAL:
        if pattern.search(token):
            return unit
    raise ValueError(token)


def number(token: str) -> float:
    """The value of a NUM token ("12", "1.5", "6th", "Twenty-four", "third")."""
    token = token.lower().strip()
    digits = re.match(r"\d+(?:\.\d+)?", token)
    if digits:
        return float(digits.group())
    return float(WORDS[token.replace("  ", " ")])


def weeks(value: float, unit: str) -> float:
    return round(value * UNIT_WEEKS[unit], 2)


def fmt_weeks(value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"{value:g}"


def quote_around(text: str, start: int, end: int, limit: int = 160) -> str:
    """A quotable span of `text` covering [start, end), widened to whole words, at most `limit` chars."""
    if end - start >= limit:
        return text[start:end]
    pad = (limit - (end - start)) // 2
    lo, hi = max(0, start - pad), min(len(text), end + pad)
    # Cut at word boundaries so the quote reads naturally but stays an exact substring.
    while lo > 0 and lo < start and not text[lo - 1].isspace():
        lo += 1
    while hi < len(text) and hi > end and not text[hi].isspace():
        hi -= 1
    return text[lo:hi].strip() or text[start:end]


def evidence(source: Text, start: int, end: int, note: str | None = None, limit: int = 160) -> Evidence:
    """Evidence quoting the span [start, end) of a Text (widened a little for context)."""
    return Evidence.of(source, quote=quote_around(source.value, start, end, limit), note=note)


def outcome_texts(record: TrialRecord) -> Iterator[tuple[int, Text]]:
    """(outcome index, text) for each outcome's measure and description."""
    for i, outcome in enumerate(record.outcomes):
        for text in (outcome.measure, outcome.description, outcome.instrument):
            if text is not None:
                yield i, text


def narrative(record: TrialRecord) -> list[Text]:
    """Free-text fields that describe the trial as a whole (not eligibility)."""
    return [t for t in (record.title, record.official_title, record.summary, record.description,
                        record.design.description) if t is not None]


def arm_texts(record: TrialRecord) -> list[Text]:
    """Arm and intervention names/descriptions, in record order."""
    out: list[Text] = []
    for arm in record.arms:
        out += [t for t in (arm.label, arm.description) if t is not None] + list(arm.components)
    for iv in record.interventions:
        out += [t for t in (iv.name, iv.description) if t is not None] + list(iv.other_names)
    return out


def first_match(pattern: re.Pattern[str], texts: Iterable[Text]) -> tuple[Text, re.Match[str]] | None:
    for text in texts:
        match = pattern.search(text.value)
        if match:
            return text, match
    return None


def belongs(iv: Intervention, arm: Arm) -> bool:
    """The intervention is given in the arm (ctgov armGroupLabels, or the arm's "Type: Name" list)."""
    label = arm.label.value.strip().lower() if arm.label else None
    if label and any(a.value.strip().lower() == label for a in iv.arm_labels):
        return True
    if iv.name is not None:
        name = iv.name.value.strip().lower()
        return any(n.value.split(":", 1)[-1].strip().lower() == name for n in arm.intervention_names)
    return False
