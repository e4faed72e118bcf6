"""How the finders read a text, and what they give: each text lowered once per record, the
sentence or clause around a match, a Candidate (a length before its Evidence) and the Duration
built for the one that wins.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from auditor.extract.record_cache import per_record
from auditor.extract.text import evidence, lowered
from auditor.facts import Evidence
from auditor.model import Text


@dataclass(frozen=True)
class Duration:
    """A treatment length in weeks and the evidence that states it."""

    weeks: float
    evidence: Evidence


# A candidate before its Evidence: (weeks, start, end, note). The candidate finders are pure functions
# of the text (cached: arm and intervention texts repeat across arms); Evidence is built only for the
# candidate that wins.
Candidate = tuple[float, int, int, str]


def _longest(texts: list[Text], source: Callable[[str], tuple[Candidate, ...]]) -> Duration | None:
    """The longest positive candidate over `texts` (the first one on ties), with its evidence."""
    best: tuple[Text, Candidate] | None = None
    for t in texts:
        for c in source(t.value):
            if c[0] > 0 and (best is None or c[0] > best[1][0]):
                best = (t, c)
    if best is None:
        return None
    text, (w, start, end, note) = best
    return Duration(w, evidence(text, start, end, note))


# Each text is lowered once per record, though several finders read it (emptied by derive()).
@per_record(maxsize=1024)
def _lowered(value: str) -> str:
    """text.lowered(), without its per-character loop for the usual text: when str.lower() keeps
    the length, only the two letters re.IGNORECASE equates with ASCII ones (dotless i, long s)
    need mapping (the Kelvin sign already lowers to "k")."""
    low = value.lower()
    if len(low) != len(value):
        return lowered(value)
    if not low.isascii() and ("\u0131" in low or "\u017f" in low):
        low = low.replace("\u0131", "i").replace("\u017f", "s")
    return low


def _distinct(texts: list[Text]) -> list[Text]:
    """The texts without repeats of a value (the first of each kept, in order)."""
    first: dict[str, Text] = {}
    for t in texts:
        first.setdefault(t.value, t)
    return list(first.values())


_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]])[.;]\s|\n")


@per_record(maxsize=256)
def _sentence_breaks(value: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Where each sentence break of `value` starts and ends, found once per text: a scan of the text
    for every match made long dosing tables quadratic."""
    spans = [m.span() for m in _SENTENCE_END.finditer(value)]
    return tuple(a for a, _ in spans), tuple(b for _, b in spans)


def _sentence_start(value: str, start: int) -> int:
    ends = _sentence_breaks(value)[1]
    # The last break that ends by `start` (as finditer(value, 0, start) found it: the break lies
    # wholly before `start`).
    i = bisect_right(ends, start) - 1
    return ends[i] if i >= 0 else 0


def _sentence_before(value: str, start: int) -> str:
    """The sentence around `start`, up to `start`."""
    return value[_sentence_start(value, start):start]


def _sentence(value: str, start: int, end: int) -> str:
    """The sentence around [start, end) (cut at ". ", "; " or a line break)."""
    # The first break from `end` on. A break matches where it stands, so the next break of the whole
    # text's scan bounds it; the bounded search finds one that a break crossing `end` hid (".|\n").
    starts = _sentence_breaks(value)[0]
    i = bisect_left(starts, end)
    bound = starts[i] + 2 if i < len(starts) else end + 2
    stop = _SENTENCE_END.search(value, end, min(len(value), bound))
    return value[_sentence_start(value, start):stop.start() if stop else len(value)]


# Where a clause ends: no number-led pattern matches a comma, a semicolon or a full stop before a
# space (their only "." is a decimal point between digits).
_CLAUSE_CUT = re.compile(r"[,;]|\.\s")


def _clauses_with(low: str, hint: re.Pattern[str]) -> list[tuple[int, int]]:
    """[start, end) of the clauses (cut at , ; and ". ") that contain a match of `hint`.

    Every match of the number-led patterns lies inside one clause and contains a `hint` match (a
    unit word, a session word), so scanning these stretches (pos/endpos: look-behinds still see the
    text before, and the character at endpos is not a word character, so \\b reads the same) finds
    the same matches as scanning the whole text, on a fraction of it."""
    m = hint.search(low)
    if m is None:
        return []
    if len(low) < 400:  # short texts: one scan is cheaper than finding clauses
        return [(0, len(low))]
    spans: list[tuple[int, int]] = []
    end, covered = 0, 0
    while m:  # one search per clause with a mark, then on past its end
        at = m.start()
        start = max(end, low.rfind(",", 0, at) + 1, low.rfind(";", 0, at) + 1, low.rfind(". ", 0, at) + 1)
        stop = _CLAUSE_CUT.search(low, m.end())
        end = len(low) if stop is None else stop.start()
        spans.append((start, end))
        covered += end - start
        m = hint.search(low, end)
    # Most of the text marked: one scan of it is cheaper than one per clause (same matches).
    return [(spans[0][0], spans[-1][1])] if covered * 3 > len(low) * 2 else spans


def _clause_tail(value: str, start: int) -> str:
    """The last three words before `start` within the same clause (stops at , ; . :)."""
    head = value[max(0, start - 60):start]
    cut = max(head.rfind(c) for c in ",;.:(")
    return " ".join(head[cut + 1:].split()[-3:])
