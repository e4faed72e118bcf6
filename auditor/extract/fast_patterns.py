"""Faster compiled patterns with the same matches (`compile_fast`).

`re` runs a pattern's alternatives one by one at every position of the text, and does not skip a
case-insensitive alternative by its first character. `compile_fast` reads what a match must start
with (`regex_shape`, from the pattern's source: no private API of `re`) and restates the pattern so
`re` rejects most positions early. It never changes what a pattern matches:
tests/extract/test_fast_patterns.py compares every pattern with its plain compiled form on the test
corpus (tests/extract/corpus/) and, when present, the real records' text.
"""

from __future__ import annotations

import re
from typing import Any, cast

from auditor import derived
from auditor.extract import regex_shape

FAST_PATTERNS: list[tuple[str, int, re.Pattern[str]]] = []  # (source, flags, compiled) for the tests

# What a LazyPattern hands over to its compiled pattern on first use.
_DELEGATED = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner",
              "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    """A compile_fast pattern that is parsed, restated and compiled when it is first used.

    Most extractor patterns are tried only where their trigger words occur, so a short record (one
    protocol file in `check`) uses few of them: compiling all ~200 at import was most of the
    start-up time. On first use the compiled pattern's own methods and attributes are copied onto
    the instance, so later calls cost what calls on a compiled pattern cost. `source` and
    `source_flags` are there before compiling (trigger words are read from them)."""

    def __init__(self, source: str, flags: int):
        self.source = source
        self.source_flags = flags

    def __getattr__(self, name: str) -> Any:  # only called for what is not set yet: the first use
        if name not in _DELEGATED:
            raise AttributeError(name)
        if name == "pattern":  # the restated source; compiled only to know that it compiles, once
            source = self._compiled_source()
            check_compiles(source, self.source_flags)
            self.pattern = source
            return source
        compiled = re.compile(self._compiled_source(), self.source_flags)
        for attr in _DELEGATED:
            setattr(self, attr, getattr(compiled, attr))
        return getattr(compiled, name)

    def _compiled_source(self) -> str:
        return restated_source(self.source, self.source_flags)

    def __repr__(self) -> str:
        return f"LazyPattern({self.source!r}, {self.source_flags})"


class LazyPlain(LazyPattern):
    """re.compile(source, flags) on first use, with `pattern` (the source) known before."""

    def _compiled_source(self) -> str:
        return self.source


def check_compiles(source: str, flags: int) -> None:
    """re.compile(source, flags), for its re.error on a bad pattern; the fact that it compiles is kept
    across runs (`derived`), so a known good pattern is not compiled again until it is used."""
    derived.memo("compiles", f"{flags}\0{source}", _compiles, source, flags)


def _compiles(source: str, flags: int) -> bool:
    return re.compile(source, flags) is not None


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Like re.compile (the same pattern, not restated), compiled on first use. A bad pattern raises
    re.error on first use (check_compiles first for an error where the pattern is defined)."""
    return cast(re.Pattern[str], LazyPlain(pattern, flags))


def compile_fast(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern like re.compile's, compiled on first use, plus a look-ahead on the characters a match
    can start with when they are known.

    `re` tries every alternative of a pattern like r"\\bfoo|\\bbar" at every position of the text;
    the look-ahead rejects most positions with one character-class test (several times faster on
    long descriptions). It only restates what the pattern requires, so matches and spans are the same.
    The result is a LazyPattern, which has re.Pattern's methods (the cast says so to the type checker)."""
    lazy = cast(re.Pattern[str], LazyPattern(pattern, flags))
    FAST_PATTERNS.append((pattern, flags, lazy))
    return lazy


def source_of(pattern: re.Pattern[str]) -> tuple[str, int]:
    """The source and flags a pattern was written with, without compiling a LazyPattern."""
    if isinstance(pattern, LazyPattern):
        return pattern.source, pattern.source_flags
    return pattern.pattern, pattern.flags


def _restated(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(restated_source(pattern, flags), flags)


def restated_source(pattern: str, flags: int) -> str:
    """The source compile_fast compiles for `pattern`: reading it off the pattern (regex_shape) is
    pure string work, kept across runs (`derived`, keyed by the pattern and its flags)."""
    result: str = derived.memo("restated", f"{flags}\0{pattern}", _restate, pattern, flags)
    return result


def _restate(pattern: str, flags: int) -> str:
    shape = regex_shape.analyse(pattern)
    if shape is None:
        return pattern
    alts, captures = shape
    first = regex_shape.first_chars([("alt", alts)])
    if first is None or first[1] or not first[0]:
        return pattern
    # When every alternative starts at a word boundary, test that first: it rejects the positions
    # inside words more cheaply than the class.
    boundary = r"\b" if all(regex_shape.starts_at_boundary(a) for a in alts) else ""
    grouped = _grouped(pattern, alts, flags) if captures == 0 else pattern
    return f"{boundary}(?=[{_char_class(first[0])}])(?:{grouped})"


def _char_class(chars: set[str]) -> str:
    return "".join(sorted(c if len(c) > 1 else re.escape(c) for c in chars))


def split_top(pattern: str) -> list[str]:
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


def _grouped(pattern: str, alts: list[regex_shape.Seq], flags: int) -> str:
    """The top-level alternatives grouped by the letters they can start with, each group behind a
    look-ahead: "\\bsurg|\\bdisc|\\bstim" -> "(?=[s])(?:\\bsurg|\\bstim)|(?=[d])(?:\\bdisc)".

    Alternatives that start with different letters never match at the same position, so only the
    order among alternatives sharing a letter matters (kept: groups that share a letter are merged,
    in pattern order). `re` does not skip a case-insensitive alternative by its first character; the
    look-ahead does it once per group. Left as it is when an alternative's first characters are
    unknown (patterns with capturing groups are not grouped: their numbers would move)."""
    parts = split_top(pattern)
    if len(parts) < 4 or len(parts) != len(alts):
        return pattern
    groups: list[tuple[set[str], list[int]]] = []  # (letters, indexes of the alternatives)
    for i, seq in enumerate(alts):
        first = regex_shape.first_chars(seq)
        if first is None or first[1] or not all(c.isascii() and c.isalnum() for c in first[0]):
            return pattern
        letters = {c.lower() for c in first[0]} if flags & re.IGNORECASE else set(first[0])
        merged = (letters, [i])
        for g in [g for g in groups if g[0] & letters]:
            groups.remove(g)
            merged = (merged[0] | g[0], sorted(merged[1] + g[1]))
        groups.append(merged)
    if len(groups) == 1:
        return pattern
    groups.sort(key=lambda g: g[1][0])
    return "|".join(f"(?=[{''.join(sorted(letters))}])(?:{'|'.join(parts[i] for i in idx)})" for letters, idx in groups)
