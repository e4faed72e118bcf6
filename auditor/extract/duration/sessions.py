"""Lengths computed from sessions: "8 weekly sessions", "12 sessions, twice a week", "two
treatments spaced 4 weeks apart".
"""

from __future__ import annotations

import re

from auditor.extract.duration.patterns import (
    _FREQ,
    _FREQ_HINT,
    _FREQ_PHRASES,
    _FREQ_WORDS,
    _SESSION_HINT,
    _SESSION_UNITS,
    _SESSIONS,
    _SINGLE,
    _SPACED,
    _WEEKLY,
)
from auditor.extract.duration.reading import Candidate, _clauses_with, _lowered
from auditor.extract.record_cache import per_record
from auditor.extract.text import number, unit_of, weeks


@per_record(maxsize=8192)
def _session_candidates(value: str) -> tuple[Candidate, ...]:
    """Lengths computed from a session count: "8 weekly sessions", "12 sessions, twice a week",
    "two treatments spaced 4 weeks apart"."""
    low = _lowered(value)
    out: list[Candidate] = []
    if "weekly" in low:
        for m in _WEEKLY.finditer(low):
            n = number(m.group("n"))
            if 1 < n <= 52:
                out.append((n, m.start(), m.end(), f"{n:g} weekly sessions = {n:g} weeks"))
    if " apart" in low or "interval" in low:
        for m in _SPACED.finditer(low):
            count, unit = number(m.group("c")), unit_of(m.group("u"))
            if 1 < count <= 52 and unit not in _SESSION_UNITS:
                w = round((count - 1) * weeks(number(m.group("n")), unit), 2)
                out.append((w, m.start(), m.end(), f"{count:g} treatments {m.group('n')} {m.group('u')} apart = {w:g} weeks"))
    # A count needs a frequency nearby: without any frequency phrase, no count is read.
    spans = _clauses_with(low, _SESSION_HINT) if _FREQ_HINT.search(low) else []
    for m in (m for start, end in spans for m in _SESSIONS.finditer(low, start, end)):
        # The frequency must be stated close to the count, in the same passage, and be another
        # phrase than the count ("two sessions per week" is a frequency, not a count).
        freq = next((f for f in _FREQ.finditer(low, max(0, m.start() - 120), m.end() + 120)
                     if f.end() <= m.start() or f.start() >= m.end()), None)
        if freq is None:
            continue
        f = _freq(freq)
        n = number(m.group("n"))
        if f and f <= n <= 100 and not _SINGLE.match(m.group()):
            w = round(n / f, 2)
            out.append((w, min(m.start(), freq.start()), max(m.end(), freq.end()),
                        f"{n:g} sessions at {f:g} per week = {w:g} weeks"))
    return tuple(out)


def _freq(m: re.Match[str]) -> float | None:
    """Sessions a week of a frequency phrase ("twice a week" 2, "weekly" 1, "on alternate days" 3.5)."""
    if m.group("alt") is not None:
        return next((v for p, v in _FREQ_PHRASES if p.fullmatch(m.group("alt"))), None)
    token = m.group("f")
    if token is None:
        return 1.0
    token = token.lower()
    if token in _FREQ_WORDS:
        return _FREQ_WORDS[token]
    try:
        return number(token)
    except (KeyError, ValueError):
        return None
