"""Outcome time frames that date the end of treatment ("Week 8 (End of Treatment)") or state
the treatment's length ("before and after 6 weeks of NightWare"); and the summary or description
dating it the same way ("8 weeks (end of treatment)", "after 12 weeks of treatment"), read when
nothing states a period.
"""

from __future__ import annotations

import re
from itertools import combinations
from typing import NamedTuple

from auditor.extract import timeframes
from auditor.extract.duration.patterns import (
    _AFTER_COURSE,
    _AFTER_COURSE_HISTORY,
    _NOT_COURSE_NOUN,
    _P,
    _PHASE_LENGTH,
    _SESSION_UNITS,
    _TF_PERIODS,
    _UNIT_HINT,
)
from auditor.extract.duration.reading import Candidate, Duration, _lowered
from auditor.extract.record_cache import per_record
from auditor.extract.text import SENTENCE_RE, compile_fast, evidence, number, unit_of, weeks
from auditor.model import Text, TrialRecord


def _from_time_frames(record: TrialRecord) -> Duration | None:
    """A time frame that dates the end of treatment ("Week 8 (End of Treatment)") or states the
    treatment's length ("before and after 6 weeks of NightWare"); the longest over the outcomes."""
    best: Duration | None = None
    open_ended = _open_ended(record)
    for tf in _distinct_time_frames(record):
        p = timeframes.end_of_treatment_at(tf.value)
        if p is not None and (best is None or p.weeks > best.weeks):
            best = Duration(p.weeks, evidence(tf, p.start, p.end, f"time frame dates the end of treatment at {p.weeks:g} weeks"))
        dated = None if open_ended else _dated_end(tf.value)
        if dated is not None and (best is None or dated.weeks > best.weeks):
            best = Duration(dated.weeks, evidence(tf, *dated.evidence_span, dated.note))
        for w, start, end, note in _tf_periods(tf.value):
            if best is None or w > best.weeks:
                best = Duration(w, evidence(tf, start, end, note))
    return best


def _phases_in_sequence(record: TrialRecord, arm_texts: list[Text], found: Duration) -> Duration | None:
    """The end of treatment a time frame dates (end_of_treatment_at), when it is the sum of two
    phases one arm text names with their lengths (phase_length: "a dose escalation period of 16
    weeks", "the maintenance period for 52 weeks"; within half a week) and longer than the stated
    course: the phases run one after the other. Not lengths of different arms, nor a visit's date
    or a washout (no named phase), and not a marker that only exceeds the stated period ("following
    intervention (approximately 5 weeks)" after "for up to 4 weeks")."""
    ends = [(p, tf) for tf in _distinct_time_frames(record) if (p := timeframes.end_of_treatment_at(tf.value)) is not None
            and p.weeks > found.weeks + 0.5]
    if not ends:
        return None
    sums = [a + b for t in arm_texts for a, b in combinations(_phase_lengths(t.value), 2)]
    for p, tf in sorted(ends, key=lambda e: -e[0].weeks):
        if any(abs(total - p.weeks) <= 0.5 for total in sums):
            return Duration(p.weeks, evidence(tf, p.start, p.end, f"the time frame dates the end of treatment at "
                                              f"{p.weeks:g} weeks, the sum of two stated treatment phases"))
    return None


def _phase_lengths(value: str) -> list[float]:
    low = _lowered(value)
    if "period" not in low and "phase" not in low:
        return []
    return [weeks(number(m.group("n2") or m.group("n")), unit_of(m.group("u"))) for m in _PHASE_LENGTH.finditer(low)]


def _distinct_time_frames(record: TrialRecord) -> list[Text]:
    first: dict[str, Text] = {}  # outcomes repeat their time frames: each text is read once
    for o in record.outcomes:
        if o.time_frame is not None:
            first.setdefault(o.time_frame.value, o.time_frame)
    return list(first.values())


def _from_narrative_schedule(narrative: list[Text]) -> Duration | None:
    """The summary or description dates the end of treatment as a time frame does: "assessed at
    baseline, post-treatment (week 10) and 6 months", "re-assessed at 3 months (i.e. immediately
    post treatment)" (timeframes.end_of_treatment_at, sentence by sentence); the latest wins. Read
    after the stated periods: a length said outright is nearer the arm's course."""
    best: Duration | None = None
    for text in narrative:
        if not _END_HINT.search(text.value):
            continue
        for sentence in SENTENCE_RE.finditer(text.value):
            said = sentence.group()
            if not _END_HINT.search(said):
                continue
            p = timeframes.end_of_treatment_at(said)
            # Only a restatement in brackets ("3 months (post-intervention)", "end of treatment (6
            # weeks)"): in a list of visits the marker and the next time are two visits ("at
            # discharge, 6 weeks, 3 months").
            if p is not None and p.weeks > 0 and "(" in said[p.start:p.end] and (best is None or p.weeks > best.weeks):
                at = sentence.start()
                best = Duration(p.weeks, evidence(text, at + p.start, at + p.end,
                                                  f"the description dates the end of treatment at {p.weeks:g} weeks"))
    return best


def _after_course(narrative: list[Text]) -> Duration | None:
    """An assessment "after 12 weeks of treatment" in the summary or description marks the end of
    the course (after_course_length), unless the words before make it a history ("have not improved
    after eight weeks of primary care": after_course_not_before); the longest wins. Read last of the
    narrative sources."""
    best: Duration | None = None
    for text in narrative:
        low = _lowered(text.value)
        if "after" not in low:
            continue
        for m in _AFTER_COURSE.finditer(low):
            before = " ".join(text.value[max(0, m.start() - 60):m.start()].split()[-6:])
            unit = unit_of(m.group("u"))
            if unit in _SESSION_UNITS or _AFTER_COURSE_HISTORY.search(before):
                continue
            w = weeks(number(m.group("n2") or m.group("n")), unit)
            if best is None or w > best.weeks:
                said = text.value[m.start():m.end()]
                best = Duration(w, evidence(text, m.start(), m.end(), f"an assessment '{said}' marks the end of treatment = {w:g} weeks"))
    return best


# Every end-of-treatment marker holds one of these words (rules/timeframe_anchors.yaml markers),
# and only a restatement in brackets counts: a sentence without one beside a bracket is not parsed
# (most are not; parsing every sentence with "after" cost a tenth of derive()).
_END_WORD = r"\b(?:end|post|complet|EOT|after|following|upon|immediately)"
_END_HINT = compile_fast(rf"{_END_WORD}[^()]{{0,40}}\(|\([^()]{{0,40}}{_END_WORD}", re.IGNORECASE)


_OPEN_ENDED = compile_fast("|".join(_P["open_ended"]), re.IGNORECASE)


def _open_ended(record: TrialRecord) -> bool:
    """An arm is treated until an event (open_ended): a time frame's upper bound is no course."""
    texts = [a.description for a in record.arms] + [iv.description for iv in record.interventions]
    return any(t is not None and _OPEN_ENDED.search(t.value) for t in texts)


class _Dated(NamedTuple):
    weeks: float
    evidence_span: tuple[int, int]
    note: str


def _dated_end(value: str) -> _Dated | None:
    """A visit written both from the end of treatment and from baseline ("From Day 1 up to 14 weeks
    after the last dose of study drug (up to 128 weeks)"): the end of treatment is the difference
    (114 weeks), as follow-up places it (followup._dated_end)."""
    points = timeframes.parse(value)
    if len(points) < 2 or not any(p.anchor == "end_of_treatment" and p.numeric for p in points):
        return None
    best: _Dated | None = None
    for i, j in timeframes.same_visit(value, points):
        q, p = points[i], points[j]
        end = round(q.weeks - p.weeks, 2)
        if p.numeric and end > 0 and (best is None or end > best.weeks):
            span = (min(p.start, q.start), max(p.end, q.end))
            best = _Dated(end, span, f"time frame dates the end of treatment: {q.weeks:g} weeks from baseline, "
                                     f"{p.weeks:g} weeks after the end = {end:g} weeks of treatment")
    return best


@per_record(maxsize=8192)
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
