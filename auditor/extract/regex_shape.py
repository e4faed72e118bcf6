"""What every match of a regular expression must start with, read from the pattern's source text.

The prefilters (`prefilter.py`) and the restated patterns (`fast_patterns.py`) need two facts about a
pattern: the characters a match can start with, and the literal words one of which every match
starts with. Python's own parser is private (`re._parser`), so this module parses the subset of the
regex syntax our rule files use into a small tree of its own, and answers "unknown" (None) for
everything else: an unknown answer only means no shortcut, never a different match.

Nodes are tuples: ("lit", c) a character, ("set", members) a class whose members are characters or
the escapes "\\d" / "\\s" (None: not enumerable), ("zero", what) a zero-width assertion, ("alt", [seq,
...]) a group of alternatives (non-capturing or named/numbered alike), ("rep", lo, hi, node), and
("unknown",) for what is not analysed ('.', \\w, back-references, inline flags ...).
"""

from __future__ import annotations

import re
from typing import Any

Node = tuple[Any, ...]
Seq = list[Node]

_ESCAPED_CLASSES = {"d": "\\d", "s": "\\s"}
_ZERO_WIDTH_ESCAPES = set("bBAZ")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}


_PLAIN_RUN = re.compile(r"[^\\\[\](){}|?*+.^$]+")


class _Unsupported(Exception):
    pass


class _Parser:
    def __init__(self, source: str):
        self.s = source
        self.i = 0
        self.captures = 0  # capturing groups, numbered or named

    def peek(self, n: int = 1) -> str:
        return self.s[self.i:self.i + n]

    def take(self) -> str:
        c = self.s[self.i]
        self.i += 1
        return c

    def alternatives(self) -> list[Seq]:
        alts = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            alts.append(self.sequence())
        return alts

    def sequence(self) -> Seq:
        seq: Seq = []
        while self.i < len(self.s) and self.peek() not in "|)":
            # A run of plain characters is most of a rule pattern: take all but its last in one step
            # (the last may carry a quantifier).
            run = _PLAIN_RUN.match(self.s, self.i)
            if run and run.end() - self.i > 1:
                seq.extend(("lit", c) for c in self.s[self.i:run.end() - 1])
                self.i = run.end() - 1
            atom = self.atom()
            seq.append(self.quantified(atom))
        return seq

    def quantified(self, atom: Node) -> Node:
        c = self.peek()
        if c in ("?", "*", "+"):
            self.i += 1
            lo, hi = {"?": (0, 1), "*": (0, None), "+": (1, None)}[c]
        elif c == "{" and (bounds := self._bounds()) is not None:
            lo, hi = bounds
        else:
            return atom
        if self.peek() in ("?", "+"):  # lazy or possessive: same set of possible starts
            self.i += 1
        if atom[0] == "zero":
            return atom
        return ("rep", lo, hi, atom)

    def _bounds(self) -> tuple[int, int | None] | None:
        end = self.s.find("}", self.i)
        body = self.s[self.i + 1:end] if end > 0 else ""
        lo, sep, hi = body.partition(",")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            return None  # a literal "{"
        self.i = end + 1
        return int(lo), (int(hi) if hi else (None if sep else int(lo)))

    def atom(self) -> Node:
        c = self.take()
        if c == "(":
            return self.group()
        if c == "[":
            return self.char_class()
        if c == "\\":
            return self.escape()
        if c in "^$":
            return ("zero", c)
        if c == ".":
            return ("unknown",)
        return ("lit", c)

    def group(self) -> Node:
        zero_width = False
        if self.peek() == "?":
            self.i += 1
            kind = self.take()
            if kind == ":":
                pass
            elif kind == "P" and self.peek() == "<":
                self.i = self.s.index(">", self.i) + 1
            elif kind in "=!":
                zero_width = True
            elif kind == "<" and self.peek() in "=!":
                self.i += 1
                zero_width = True
            else:
                raise _Unsupported  # inline flags, conditionals, comments, (?P=name)
            if kind == "P":
                self.captures += 1
        else:
            self.captures += 1
        alts = self.alternatives()
        if self.peek() != ")":
            raise _Unsupported
        self.i += 1
        return ("zero", "look") if zero_width else ("alt", alts)

    def escape(self) -> Node:
        c = self.take()
        if c in _ZERO_WIDTH_ESCAPES:
            return ("zero", c)
        if c in _ESCAPED_CLASSES:
            return ("set", {_ESCAPED_CLASSES[c]})
        if c.isalnum() and c not in _SIMPLE_ESCAPES:
            return ("unknown",)  # \w, \W, \S, \D, back-references, \x.., \u....
        return ("lit", _SIMPLE_ESCAPES.get(c, c))

    def char_class(self) -> Node:
        members: set[str] | None = set()
        if self.peek() == "^":
            self.i += 1
            members = None
        first = True
        while True:
            if self.i >= len(self.s):
                raise _Unsupported
            c = self.take()
            if c == "]" and not first:
                break
            first = False
            if c == "\\":
                e = self.take()
                if e in _ESCAPED_CLASSES:
                    members = None if members is None else members | {_ESCAPED_CLASSES[e]}
                    continue
                if e.isalnum() and e not in _SIMPLE_ESCAPES:
                    members = None
                    continue
                c = _SIMPLE_ESCAPES.get(e, e)
            if self.peek() == "-" and self.peek(2)[1:] not in ("]", ""):
                self.i += 1
                hi = self.take()
                if hi == "\\":
                    hi = self.take()
                if members is not None and ord(hi) - ord(c) < 128:
                    members |= {chr(x) for x in range(ord(c), ord(hi) + 1)}
                else:
                    members = None
                continue
            if members is not None:
                members.add(c)
        return ("set", members)


def parse(source: str) -> list[Seq] | None:
    """The pattern's top-level alternatives as node sequences, or None when it is not analysed."""
    shape = analyse(source)
    return shape[0] if shape else None


def analyse(source: str) -> tuple[list[Seq], int] | None:
    """The top-level alternatives and the number of capturing groups, or None when not analysed."""
    parser = _Parser(source)
    try:
        alts = parser.alternatives()
    except (_Unsupported, IndexError, ValueError):
        return None
    return (alts, parser.captures) if parser.i == len(source) else None


def first_chars(seq: Seq) -> tuple[set[str], bool] | None:
    """Characters a match of `seq` can start with ("\\d"/"\\s" stand for their classes), and whether
    the match can be empty. None: unknown."""
    chars: set[str] = set()
    for node in seq:
        kind = node[0]
        if kind == "zero":
            continue
        if kind == "lit":
            return chars | {node[1]}, False
        if kind == "set":
            return (None if node[1] is None else (chars | node[1], False))
        if kind == "alt":
            sub = _first_of_alts(node[1])
        elif kind == "rep":
            sub = first_chars([node[3]])
            if sub is not None and node[1] == 0:
                sub = (sub[0], True)
        else:
            return None
        if sub is None:
            return None
        chars |= sub[0]
        if not sub[1]:
            return chars, False
    return chars, True


def _first_of_alts(alts: list[Seq]) -> tuple[set[str], bool] | None:
    subs = [first_chars(a) for a in alts]
    if any(s is None for s in subs):
        return None
    known = [s for s in subs if s is not None]
    return set().union(*(s[0] for s in known)), any(s[1] for s in known)


def starts_at_boundary(seq: Seq) -> bool:
    """Every match of `seq` starts with a word-boundary test (\\b)."""
    if not seq:
        return False
    if seq[0] == ("zero", "b"):
        return True
    return seq[0][0] == "alt" and all(starts_at_boundary(a) for a in seq[0][1])


def literal_starts(alts: list[Seq], limit: int = 4) -> set[tuple[str, bool]]:
    """(literal, complete) pairs: every match starts with one of the literals (complete: the match is
    exactly that literal). Literals stop at `limit` characters or at the first construct that is not
    a plain character; "" means nothing is known."""
    return set().union(*(_literals(seq, limit) for seq in alts))


def _literals(seq: Seq, limit: int) -> set[tuple[str, bool]]:
    out = {("", True)}
    for node in seq:
        if not any(done for _, done in out):
            break
        kind = node[0]
        if kind == "zero":
            continue
        if kind == "lit":
            ext = {(node[1], True)}
        elif kind == "set" and node[1] is not None and len(node[1]) <= 4 and not any(len(m) > 1 for m in node[1]):
            ext = {(m, True) for m in node[1]}
        elif kind == "alt":
            ext = literal_starts(node[1], limit)
        elif kind == "rep" and (node[1], node[2]) == (0, 1):
            ext = _literals([node[3]], limit) | {("", True)}  # optional part: "s?"
        elif kind == "rep" and node[1] >= 1:
            ext = {(q, False) for q, _ in _literals([node[3]], limit)}
        else:
            ext = {("", False)}
        new: set[tuple[str, bool]] = set()
        for prefix, done in out:
            for more, more_done in (ext if done else {("", False)}):
                word = prefix + more
                new.add((word[:limit], done and more_done and len(word) <= limit))
        out = new
    return out
