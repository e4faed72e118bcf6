"""Faster compiled patterns with the same matches (`compile_fast`).

`re` runs a pattern's alternatives one by one at every position of the text, and does not skip a
case-insensitive alternative by its first character. `compile_fast` reads what a match must start
with (`regex_shape`, from the pattern's source: no private API of `re`) and restates the pattern so
`re` rejects most positions early. It never changes what a pattern matches:
tests/extract/test_fast_patterns.py compares every pattern with its plain compiled form on the test
corpus (tests/extract/corpus/) and, when present, the real records' text.
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Any, cast

from auditor import derived
from auditor.extract import regex_shape

FAST_PATTERNS: list[tuple[str, int, re.Pattern[str]]] = []  # (source, flags, compiled) for the tests
LAZY_PATTERNS: list[LazyPattern] = []  # every lazy pattern (compile_fast and lazy_compile), for the tests

# What a LazyPattern hands over to its compiled pattern on first use.
_DELEGATED = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner",
              "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    """A compile_fast pattern that is parsed, restated and compiled when it is first used.

    Most extractor patterns are tried only where their trigger words occur, so a short record (one
    protocol file in `check`) uses few of them: compiling all ~200 at import was most of the
    start-up time. On first use the compiled pattern's own methods and attributes are copied onto
    the instance, so later calls cost what calls on a compiled pattern cost. `source` and
    `source_flags` are there before compiling (trigger words are read from them).

    `ascii` is its ASCII twin (`ascii_source`), compiled on first use: the same matches on ASCII
    text (97% of the registry texts), without `re`'s Unicode tables for every \\b, \\w and
    case-insensitive letter. The methods that scan a text (`search`, `finditer`, `findall`) run it
    by themselves on ASCII text (`_either`); `match` and the rest are the compiled pattern's own
    (code that knows its text is ASCII, such as `prefilter.anchored`, runs `ascii` for them)."""

    def __init__(self, source: str, flags: int):
        self.source = source
        self.source_flags = flags
        LAZY_PATTERNS.append(self)

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
        for attr in _SCANS:
            setattr(self, attr, _either(self, attr, getattr(compiled, attr)))
        return getattr(self, name)

    @functools.cached_property
    def ascii(self) -> re.Pattern[str]:
        """The pattern's ASCII twin (`ascii_twin`), for ASCII text; the pattern itself without one."""
        return ascii_twin(self._compiled_source(), self.source_flags) or cast(re.Pattern[str], self)

    def _compiled_source(self) -> str:
        return restated_source(self.source, self.source_flags)

    def __repr__(self) -> str:
        return f"LazyPattern({self.source!r}, {self.source_flags})"


# The methods that scan a whole text, where the ASCII twin saves most (~2x on a long description).
_SCANS = ("search", "finditer", "findall")


def _either(lazy: LazyPattern, name: str, plain: Any) -> Any:
    """`name` of the compiled pattern (`plain`), run by the ASCII twin's on ASCII text (the same
    result there, `ascii_source`). The twin is compiled on the first ASCII text."""
    twin: Any = None

    def scan(string: str, pos: int = 0, endpos: int = sys.maxsize) -> Any:
        nonlocal twin
        if string.isascii():
            if twin is None:
                ascii = lazy.ascii
                twin = plain if ascii is lazy else getattr(ascii, name)
            return twin(string, pos, endpos)
        return plain(string, pos, endpos)

    return scan


def ascii_pattern(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A pattern that finds on ASCII text exactly what `pattern` finds (its ASCII twin when it has
    one): for code that has just learnt its text is ASCII, such as `prefilter.anchored`."""
    if isinstance(pattern, LazyPattern):
        return pattern.ascii
    twin = _PLAIN_TWINS.get(pattern)
    if twin is None:
        twin = _PLAIN_TWINS[pattern] = ascii_twin(pattern.pattern, pattern.flags & ~re.UNICODE) or pattern
    return twin


_PLAIN_TWINS: dict[re.Pattern[str], re.Pattern[str]] = {}


# Unicode \s matches these ASCII characters (str.isspace: also the separators \x1c-\x1f); with
# re.ASCII it matches only " \t\n\r\f\v". The twin spells them out.
_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f "
# The only non-ASCII characters re.IGNORECASE equates with ASCII letters (auditor.extract.text):
# a pattern that names one can match ASCII text through it in Unicode mode only.
_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")


def ascii_source(source: str, flags: int) -> str | None:
    """A source that, compiled with re.ASCII, matches ASCII text exactly as `source` compiled
    without it does; None when that is not known.

    On ASCII text the two modes differ only in what \\s and \\S accept (Unicode \\s also takes the
    separators \\x1c-\\x1f), so those are spelt out as classes, and in non-ASCII literals that
    re.IGNORECASE equates with ASCII letters (none then; a class range with a non-ASCII end might
    hold one: none either). Inline mode flags, verbose patterns and named or \\u escapes are left
    alone (None)."""
    if flags & (re.VERBOSE | re.ASCII | re.LOCALE) or ("(?" in source and _INLINE_MODE.search(source)):
        return None
    out: list[str] = []
    in_class, class_start = False, 0
    for m in _PIECE.finditer(source):  # escapes, brackets and the runs between them
        piece, i = m.group(), m.start()
        if piece[0] == "\\":
            e = piece[1]
            if e in "uUN":
                return None
            if e == "s":
                piece = _SPACE if in_class else f"[{_SPACE}]"
            elif e == "S":
                if in_class:
                    return None
                piece = f"[^{_SPACE}]"
        elif piece == "[":
            if not in_class:
                in_class = True
                class_start = i + 2 if source[i + 1:i + 2] == "^" else i + 1  # a "]" there is a literal
        elif piece == "]":
            if in_class and i > class_start:
                in_class = False
        elif not piece.isascii() and not _ascii_safe(source, i, piece, in_class):
            return None
        out.append(piece)
    return "".join(out)


_PIECE = re.compile(r"\\.|[\[\]]|[^\\\[\]]+", re.DOTALL)


def _ascii_safe(source: str, at: int, piece: str, in_class: bool) -> bool:
    """No non-ASCII character of `piece` (at `at` in `source`) folds to an ASCII letter, nor may be
    the end of a class range (which might hold one)."""
    for j, c in enumerate(piece, at):
        if c.isascii():
            continue
        if c in _FOLDS_TO_ASCII or (in_class and "-" in (source[j - 1], source[j + 1:j + 2])):
            return False
    return True


_INLINE_MODE = re.compile(r"\(\?[aiLmsux]*[aLux]")  # (?a) (?u) (?L) (?x) and their scoped forms


def ascii_twin(source: str, flags: int) -> re.Pattern[str] | None:
    """re.compile(ascii_source(source, flags), flags | re.ASCII), or None (no twin)."""
    twin = ascii_source(source, flags)
    if twin is None:
        return None
    try:
        return re.compile(twin, flags | re.ASCII)
    except re.error:
        return None


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
