"""The eligibility text as the rules read it: lower-cased (same offsets), abbreviation dots blanked,
and where the trigger words of each indexed pattern start (one Aho-Corasick pass)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

from auditor.extract.fast_patterns import ascii_pattern
from auditor.extract.population.patterns import ABBREVIATION, DOT, INDEX, INDEXED
from auditor.extract.prefilter import anchored
from auditor.extract.text import lowered


def _scan_text(value: str) -> str:
    """`value` lower-cased (same length), with abbreviation dots and markdown escapes blanked, so
    that clauses end only at real sentence and list punctuation ("(e.g. NSAIDs) for 6 months").
    Only the few dots are looked at: a pattern run over every character costs more."""
    low = lowered(value)
    out: list[str] | None = None
    for m in DOT.finditer(low):
        i = m.start()
        if low[i] == "\\" or any(a.start() <= i < a.end() for a in ABBREVIATION.finditer(low, max(0, i - 7), i + 5)):
            if out is None:
                out = list(low)
            out[i] = " "
    return low if out is None else "".join(out)


class Scan:
    """The lower-cased eligibility text and where the trigger words of each indexed pattern start."""

    def __init__(self, value: str):
        self.text = _scan_text(value)
        self.starts = INDEX.starts(self.text) or {}

    def finditer(self, name: str, start: int, end: int) -> Iterator[re.Match[str]]:
        """INDEXED[name].finditer(text, start, end), tried only where its trigger words start."""
        pattern = INDEXED[name]
        if name in INDEX.always:
            yield from (ascii_pattern(pattern) if self.text.isascii() else pattern).finditer(self.text, start, end)
            return
        at_list = self.starts.get(name, [])
        yield from anchored(pattern, self.text, at_list[bisect_left(at_list, start):bisect_left(at_list, end)], end)

    def search(self, name: str, start: int, end: int) -> re.Match[str] | None:
        return next(self.finditer(name, start, end), None)
