"""Outcome time frames that date the end of treatment ("Week 8 (End of Treatment)") or state
the treatment's length ("before and after 6 weeks of NightWare").
"""

from __future__ import annotations

from functools import lru_cache

from auditor.extract import timeframes
from auditor.extract.duration.patterns import _NOT_COURSE_NOUN, _SESSION_UNITS, _TF_PERIODS, _UNIT_HINT
from auditor.extract.duration.reading import Candidate, Duration, _lowered
from auditor.extract.text import evidence, number, unit_of, weeks
from auditor.model import Text, TrialRecord


def _from_time_frames(record: TrialRecord) -> Duration | None:
    """A time frame that dates the end of treatment ("Week 8 (End of Treatment)") or states the
    treatment's length ("before and after 6 weeks of NightWare"); the longest over the outcomes."""
    best: Duration | None = None
    first: dict[str, Text] = {}  # outcomes repeat their time frames: each text is read once
    for o in record.outcomes:
        if o.time_frame is not None:
            first.setdefault(o.time_frame.value, o.time_frame)
    for tf in first.values():
        p = timeframes.end_of_treatment_at(tf.value)
        if p is not None and (best is None or p.weeks > best.weeks):
            best = Duration(p.weeks, evidence(tf, p.start, p.end, f"time frame dates the end of treatment at {p.weeks:g} weeks"))
        for w, start, end, note in _tf_periods(tf.value):
            if best is None or w > best.weeks:
                best = Duration(w, evidence(tf, start, end, note))
    return best


@lru_cache(maxsize=8192)
def _tf_periods(value: str) -> tuple[Candidate, ...]:
    low = _lowered(value)
    if not _UNIT_HINT.search(low):
        return ()
    out: list[Candidate] = []
    for pattern in _TF_PERIODS:
        for m in pattern.finditer(low):
            unit = unit_of(m.group("u"))
            # "the 2-week run-in treatment": the words after the length make it no course.
            if unit in _SESSION_UNITS or _NOT_COURSE_NOUN.search(low, m.end("u"), m.end()):
                continue
            w = weeks(number(m.group("n2") or m.group("n")), unit)
            out.append((w, m.start(), m.end(), f"time frame states the treatment period '{value[m.start():m.end()]}' = {w:g} weeks"))
    return tuple(out)
