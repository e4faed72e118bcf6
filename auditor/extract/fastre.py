"""Faster compiled patterns with the same matches (compile_fast), and what a pattern's matches must
start with (_literals, _first_seq: read by extract/prefilter.py).

`re` runs a pattern's alternatives one by one at every position of the text, and does not skip a
case-insensitive alternative by its first character. The helpers here read a pattern's parsed form
to find what every match must start with or contain, and restate it so `re` rejects most positions
early. They never change what a pattern matches: tests/extract/test_fast_patterns.py compares every
pattern with its plain compiled form on the real records' text.
"""

from __future__ import annotations

import re
import re._constants as _sc
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
