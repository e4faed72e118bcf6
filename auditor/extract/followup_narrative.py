"""Follow-up read from the summary/description, beside or instead of the outcomes' time frames.

- With no outcome time point at all, the assessment schedule the description states ("assessments
  at 3, 6, 12 and 52 weeks") gives the points (`narrative_points`): older records often register
  outcomes without time frames.
- Time frames that name no anchor take the end of treatment where the summary/description dates
  the same times from it ("6 and 12 months after study completion"; `dated_by_narrative`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from functools import partial

import msgspec

from auditor.extract import rules, timeframes
from auditor.extract.background import reports_earlier_study
from auditor.extract.followup_points import Point
from auditor.extract.text import SENTENCE_RE, compile_fast, quote_around
from auditor.extract.timeframes.anchors import names_end
from auditor.facts import Evidence
from auditor.model import Text, TrialRecord

# Words that make a description sentence an assessment schedule: rules/timeframe_anchors.yaml.
_SCHEDULE = compile_fast(r"\b(?:" + "|".join(rules.load("timeframe_anchors")["schedule_words"]) + ")", re.IGNORECASE)
# ... unless it is about reporting the results ("Outcomes will be reported within 12 months after
# study completion" dates no assessment).
_NOT_SCHEDULE = compile_fast(r"\b(?:" + "|".join(rules.load("timeframe_anchors")["not_schedule_words"]) + ")",
                             re.IGNORECASE)


def _schedule_sentences(record: TrialRecord) -> list[tuple[Text, re.Match[str]]]:
    """The summary/description's sentences that state an assessment schedule (a schedule word, no
    word of a sentence about reporting or publishing the results, and no report of an earlier study)."""
    return [(text, sentence) for text in (record.summary, record.description) if text is not None
            for sentence in SENTENCE_RE.finditer(text.value)
            if _SCHEDULE.search(sentence.group()) and not _NOT_SCHEDULE.search(sentence.group())
            and not reports_earlier_study(sentence.group())]


def _schedule_points(sentences: list[tuple[Text, re.Match[str]]]) -> Iterator[tuple[Text, int, timeframes.TimePoint, bool]]:
    """(text, where its sentence starts, a time point with a number read in it, whether a point from
    the end of treatment comes before it in the sentence) of the schedule sentences."""
    for text, sentence in sentences:
        after_end = False
        points = timeframes.parse(sentence.group())
        # A sentence that opens with the end of treatment dates its times from it: "After completion
        # of study treatment, patients are followed up at 3 and 6 months", "Following the
        # intervention, participants are followed for 3 months" (a time it anchors itself keeps its
        # anchor: "... for 6 months from baseline").
        opens_at_end = bool(points) and points[0].anchor == "end_of_treatment" and not points[0].numeric \
            and not sentence.group()[:points[0].start].strip()
        for p in points:
            # A time with a number, or the end of treatment itself ("assessed before and after the
            # program": the last assessment is at the end, 0 weeks after it); a repeat interval too
            # ("study visits every 3 months": the latest lies beyond it, so an earlier time is not it).
            if (p.numeric and p.anchor != "unknown") or p.anchor == "end_of_treatment" or p.interval:
                dated = dataclasses.replace(p, anchor="end_of_treatment") if opens_at_end and not p.stated else p
                yield text, sentence.start(), dated, after_end
            after_end = after_end or p.anchor == "end_of_treatment"


def narrative_points(record: TrialRecord) -> list[Point]:
    return _as_points(_schedule_points(_schedule_sentences(record)))


def _as_points(schedule: Iterable[tuple[Text, int, timeframes.TimePoint, bool]]) -> list[Point]:
    points: list[Point] = []
    for text, offset, p, _ in schedule:
        start, end = offset + p.start, offset + p.end
        note = (f"{p.weeks:g} weeks from {p.anchor.replace('_', ' ')} (no outcome time frame: "
                f"assessment schedule in the description)")
        points.append(Point(p.weeks, p.anchor, Evidence.of(text, quote=quote_around(text.value, start, end, 120), note=note),
                            p.numeric, interval=p.interval, listed_after_end=p.listed_after_end))
    return points


def dated_by_narrative(points: list[Point], record: TrialRecord, duration: float | None = None) -> list[Point]:
    """Time frames that give a time without saying from when ("Baseline, 8 weeks, 6 months and 12
    months") while the summary or description dates the same time from the end of treatment ("They
    will also be assessed at 6 and 12 months after study completion"): that visit is after the end of
    treatment, as a reader of the whole record takes it. Only the same time (within half a week), and
    not a time the description also dates from baseline, the start or a procedure (a time it gives with
    no anchor counts as from baseline, unless its sentence names the end of treatment before it:
    "post-intervention follow up surveys at 6- and 12-months"); and only when no
    time frame dates a time from the end of treatment itself ("12-months (6-months after completing
    the trial)" says how its record's times relate to the treatment)."""
    if any(p.anchor == "end_of_treatment" or p.after_end is not None for p in points):
        return points  # the time frames say themselves which times are after the treatment
    # A time at the treatment's length is the end-of-treatment visit: the description's same number
    # after the end ("Week 12" with 12 weeks of treatment and "followed up 12 weeks after the end of
    # treatment") is a coincidence of numbers, not that visit's dating.
    loose = [i for i, p in enumerate(points) if p.anchor == "baseline" and not p.stated and p.numeric and p.weeks > 0
             and (duration is None or abs(p.weeks - duration) > 0.5)]
    if not loose:
        return points
    sentences = _schedule_sentences(record)
    # Dated only by a phrase naming the end of treatment ("after study completion"); a follow-up
    # period written after a treatment period ("16 weeks of therapy and 4 weeks of follow-up")
    # states the design, not when a time frame's visit is. Testing the phrases first, then the
    # numbers, spares parsing the sentences of most records (derive had grown by a third without it).
    ending = [(text, sentence) for text, sentence in sentences if names_end(sentence.group())]
    # (a time with a number: the word-only end of treatment, 0 weeks after it, dates no time frame)
    after_end = [p for p in _as_points(_schedule_points(ending)) if p.anchor == "end_of_treatment" and p.numeric]
    if not any(abs(n.weeks - points[i].weeks) <= 0.5 for n in after_end for i in loose):
        return points
    schedule = list(_schedule_points(sentences))
    # A time with no anchor of its own after the end of treatment in its sentence ("post-intervention
    # follow up surveys at 6- and 12-months") is not dated from baseline.
    other = [p.weeks for _, _, p, after in schedule
             if p.anchor != "end_of_treatment" and (p.stated or not after)]
    out = list(points)
    for i in loose:
        p = points[i]
        match = next((n for n in after_end if abs(n.weeks - p.weeks) <= 0.5), None)
        if match is None or any(abs(w - p.weeks) <= 0.5 for w in other):
            continue
        dated = Point(p.weeks, "end_of_treatment", None, True, partial(_dated_evidence, p, match), True)
        dated.dated_by = match.evidence.quote
        out[i] = dated
    return out


def _dated_evidence(point: Point, dating: Point) -> Evidence:
    return msgspec.structs.replace(point.evidence, note=f"{point.weeks:g} weeks after the end of treatment (the time frame "
                                                         f"names no anchor; the description dates it: \u201c{dating.evidence.quote}\u201d)")
