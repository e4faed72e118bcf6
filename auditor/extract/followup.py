"""Follow-up facts from outcome time frames (CRITERIA.md "Time frames").

- max weeks from baseline: the latest time point of any outcome, counting baseline-, treatment-start-
  and procedure-anchored points as weeks from baseline (the procedure is taken as day 0 of the
  trial; an anchor we cannot place - "post-partum", an age such as "36 weeks corrected age" - is
  skipped, and when such a point's own number is later than every placed point, the latest is
  unknown (None), and so are the weeks after treatment: that visit may come later still).
  When the duration is unknown and a point stated from the end of treatment is later than every
  baseline point, the latest from baseline is unknown (None): it is at least that point plus the
  treatment, and the baseline points would understate it.
- weeks after treatment: per point, end-of-treatment anchored -> its weeks; procedure-anchored with a
  one-off treatment (duration 0) -> its weeks; baseline/treatment-start -> weeks - duration.
  The fact is the latest of these. When some point cannot be converted (duration unknown) and
  could be later than the known ones, the answer is None: we do not claim more than the text says.
- A visit written both from baseline and from the end of treatment ("Week 8 (End of Treatment)",
  "14 weeks after the last dose (up to 128 weeks)") dates the end of treatment: with the duration
  unknown, the other points are placed against it (`_dated_end`).
- Time frames that name no anchor take the end of treatment where the summary/description dates
  the same times from it ("6 and 12 months after study completion"; `_dated_by_narrative`).
- FU03 specificity: every outcome's time frame names a time.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from typing import cast

import msgspec

from auditor.extract import rules, timeframes
from auditor.extract.text import compile_fast, opening, quote_around, shortened
from auditor.facts import Evidence, FactSheet
from auditor.model import Outcome, Text, TrialRecord


class Point:
    """A time point; its Evidence is built on first use (most points are never quoted: only the
    latest one is, and an outcome usually has several)."""

    __slots__ = ("_evidence", "_make", "after_end", "anchor", "dated_by", "numeric", "stated", "weeks")

    def __init__(self, weeks: float, anchor: str, evidence: Evidence | None = None, numeric: bool = True,
                 make: Callable[[], Evidence] | None = None, stated: bool = True, after_end: float | None = None) -> None:
        self.weeks, self.anchor, self.numeric, self.stated = weeks, anchor, numeric, stated
        self._evidence, self._make = evidence, make
        # The same visit dated from the end of treatment by the text beside it ("Week 8 (End of
        # Treatment)", "12 months (6 months after completing the trial)"): weeks after treatment.
        self.after_end = after_end
        # The description's words that date this time frame's point from the end of treatment.
        self.dated_by: str | None = None

    @property
    def evidence(self) -> Evidence:
        if self._evidence is None:
            assert self._make is not None, "a time point is built with evidence or a way to make it"
            self._evidence = self._make()
        return self._evidence


@dataclass
class FollowUp:
    max_from_baseline: float | None = None
    max_evidence: list[Evidence] = field(default_factory=list)
    after_treatment: float | None = None
    after_evidence: list[Evidence] = field(default_factory=list)
    # after_treatment was computed from the treatment duration (a time from baseline minus it), so
    # it also rests on the text that states the duration.
    from_duration: bool = False


def outcome_points(outcome: Outcome) -> list[Point]:
    """Time points of one outcome: structured protocol points win over the time-frame text."""
    if outcome.time_points:
        return [Point(tp.weeks.value, tp.anchor,
                      Evidence.of(tp.weeks, note=f"{tp.weeks.value:g} weeks from {tp.anchor.replace('_', ' ')}"))
                for tp in outcome.time_points]
    tf = outcome.time_frame
    if tf is None:
        return _measure_points(outcome)
    if not timeframes.assessment(tf.value):
        return []  # a recruitment period, not a time participants are assessed at
    parsed = timeframes.parse(tf.value)
    pairs = timeframes.same_visit(tf.value, parsed) if len(parsed) > 1 and \
        any(p.anchor == "end_of_treatment" for p in parsed) else None
    if not pairs:  # the usual case
        return [Point(p.weeks, p.anchor, None, p.numeric, partial(_evidence, tf, p), p.stated) for p in parsed]
    dated = dict(pairs)
    restating = set(dated.values())  # the end-of-treatment half of a pair: folded into its partner
    return [Point(p.weeks, p.anchor, None, p.numeric, partial(_evidence, tf, _both(p, parsed[dated[i]]) if i in dated else p),
                  p.stated, parsed[dated[i]].weeks if i in dated else None)
            for i, p in enumerate(parsed) if i not in restating]


def _both(p: timeframes.TimePoint, q: timeframes.TimePoint) -> timeframes.TimePoint:
    """A visit and its other dating, quoted together ("30 days after the last dose ... (up to 320 weeks)")."""
    return dataclasses.replace(p, start=min(p.start, q.start), end=max(p.end, q.end))


def _measure_points(outcome: Outcome) -> list[Point]:
    """Registries without a time-frame field (ICTRP, legacy records) often name the time in the
    outcome itself: "Oswestry Disability Index at 12 months", "clearance rate at day 3". This is
    the one place that judges whether such text holds a time (the registry readers only split off
    what the registry marks as a time frame): times with a unit count (timeframes.named_times)."""
    if outcome.measure is None:
        return []
    found = timeframes.named_times(outcome.measure.value)
    return [Point(p.weeks, p.anchor, Evidence.of(outcome.measure, quote=quote_around(outcome.measure.value, p.start, p.end, 120),
                                                 note=f"{p.weeks:g} weeks from {p.anchor.replace('_', ' ')} "
                                                      f"(time named in the outcome; no time frame registered)"))
            for p in found]


def _evidence(tf: Text, p: timeframes.TimePoint) -> Evidence:
    anchor = p.anchor.replace("_", " ")
    note = f"{p.weeks:g} weeks from {anchor}" + ("" if p.stated else " (no anchor stated: read as from baseline)")
    return Evidence.of(tf, quote=quote_around(tf.value, p.start, p.end, 120), note=note)


def compute(outcomes: list[Outcome], duration: float | None, record: TrialRecord | None = None) -> FollowUp:
    """Follow-up from the outcomes' time points. When no outcome has one and `record` is given, the
    assessment schedule stated in the summary/description is used instead (older records often
    register outcomes without time frames but describe "assessments at 3, 6, 12 and 52 weeks")."""
    points = [p for o in outcomes for p in outcome_points(o)]
    if not points and record is not None:
        points = narrative_points(record)
    elif record is not None and (record.summary is not None or record.description is not None):
        points = _dated_by_narrative(points, record)
    fu = compute_points(points, duration)
    # Only a protocol outcome has time points: registry records skip the check (in C, not a Python loop).
    return unsettled(outcomes, fu, duration) if any(map(_TIME_POINTS, outcomes)) else fu


_TIME_POINTS = attrgetter("time_points")


def unsettled(outcomes: list[Outcome], fu: FollowUp, duration: float | None) -> FollowUp:
    """A protocol outcome whose structured time points and time-frame text name different times
    (time frame "baseline, 6 and 12 months", time points 6 and 12 weeks) contradicts itself: a
    follow-up fact that the time points and the text would give differently is unclear (None),
    quoting both, instead of silently trusting the time points. The text is read as a registry's
    time frame is; a text that names no time cannot contradict the points.

    Each outcome's text is tried in place of its points, and then every outcome's text at once: two
    outcomes that contradict themselves the same way would each hide the other (the other's points
    still give the same latest time), so FU01 passed where QL03, reading one outcome, was unclear."""
    said: dict[int, list[Point]] = {}
    for i, outcome in enumerate(outcomes):
        if outcome.time_points and outcome.time_frame is not None:  # only a protocol outcome has both
            read = outcome_points(msgspec.structs.replace(outcome, time_points=[]))
            if any(p.numeric for p in read):
                said[i] = read
    if not said:
        return fu
    points = [outcome_points(o) for o in outcomes]
    variants = [[i] for i in said] + ([list(said)] if len(said) > 1 else [])
    for chosen in variants:
        by_text = compute_points([p for j, pts in enumerate(points) for p in (said[j] if j in chosen else pts)], duration)
        own = compute_points([p for j in chosen for p in points[j]], duration)
        text = compute_points([p for j in chosen for p in said[j]], duration)
        tf = "; ".join(dict.fromkeys(cast(Text, outcomes[j].time_frame).value for j in chosen))
        if _apart(fu.max_from_baseline, by_text.max_from_baseline):
            fu.max_from_baseline = None
            fu.max_evidence = _disagreeing(own.max_evidence or fu.max_evidence,
                                           text.max_evidence or by_text.max_evidence, tf)
        if _apart(fu.after_treatment, by_text.after_treatment):
            fu.after_treatment = None
            fu.after_evidence = _disagreeing(own.after_evidence or fu.after_evidence,
                                             text.after_evidence or by_text.after_evidence, tf)
    return fu


def _apart(points: float | None, text: float | None) -> bool:
    """Two figures for the same fact that name different times. Within 10% (at least half a week)
    they are the same visit: months are often written as 4 weeks (6 months -> 24 weeks) and days
    rounded to weeks (day 90 -> 13 weeks)."""
    return points is not None and text is not None and abs(points - text) > max(0.5, 0.1 * max(points, text))


def _disagreeing(points: list[Evidence], text: list[Evidence], time_frame: str) -> list[Evidence]:
    """Both sides of a contradiction, each note saying what the other says."""
    return ([msgspec.structs.replace(e, note=f"{e.note}; the outcome's time points disagree with its time frame "
                                             f"\u201c{time_frame}\u201d") for e in points]
            + [msgspec.structs.replace(e, note=f"{e.note}; the outcome's time frame disagrees with its time points")
               for e in text])


_SENTENCE = compile_fast(r"(?:[^.;\n]|\.(?=\d))+(?:[.;\n]|$)")  # not cut at a decimal point ("2.5 points")
# Words that make a description sentence an assessment schedule: rules/timeframe_anchors.yaml.
_SCHEDULE = compile_fast(r"\b(?:" + "|".join(rules.load("timeframe_anchors")["schedule_words"]) + ")", re.IGNORECASE)


def narrative_points(record: TrialRecord) -> list[Point]:
    points: list[Point] = []
    for text in (record.summary, record.description):
        if text is None:
            continue
        for sentence in _SENTENCE.finditer(text.value):
            if not _SCHEDULE.search(sentence.group()):
                continue
            for p in timeframes.parse(sentence.group()):
                if p.numeric and p.anchor != "unknown":
                    start, end = sentence.start() + p.start, sentence.start() + p.end
                    note = (f"{p.weeks:g} weeks from {p.anchor.replace('_', ' ')} (no outcome time frame: "
                            f"assessment schedule in the description)")
                    points.append(Point(p.weeks, p.anchor, Evidence.of(text, quote=quote_around(text.value, start, end, 120),
                                                                       note=note)))
    return points


def _dated_by_narrative(points: list[Point], record: TrialRecord) -> list[Point]:
    """Time frames that give a time without saying from when ("Baseline, 8 weeks, 6 months and 12
    months") while the summary or description dates the same time from the end of treatment ("They
    will also be assessed at 6 and 12 months after study completion"): that visit is after the end of
    treatment, as a reader of the whole record takes it. Only the same time (within half a week), and
    not a time the description also dates from baseline, the start or a procedure; and only when no
    time frame dates a time from the end of treatment itself ("12-months (6-months after completing
    the trial)" says how its record's times relate to the treatment)."""
    if any(p.anchor == "end_of_treatment" or p.after_end is not None for p in points):
        return points  # the time frames say themselves which times are after the treatment
    loose = [i for i, p in enumerate(points) if p.anchor == "baseline" and not p.stated and p.numeric and p.weeks > 0]
    if not loose:
        return points
    told = narrative_points(record)
    after_end = [p for p in told if p.anchor == "end_of_treatment"]
    if not after_end:
        return points
    other = [p.weeks for p in told if p.anchor != "end_of_treatment"]
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


def compute_points(points: list[Point], duration: float | None) -> FollowUp:
    result = FollowUp()
    from_baseline = [p for p in points if p.anchor in ("baseline", "treatment_start", "procedure")]
    dated_end = _dated_end(points) if duration is None else None
    end = duration if duration is not None else dated_end
    if end is not None:  # "12 months after the end of treatment" is then also a time from baseline
        how = "weeks of treatment" if duration is not None else "weeks, the end of treatment as a time frame dates it"
        from_baseline += [Point(p.weeks + end, "baseline", msgspec.structs.replace(
            p.evidence, note=f"{p.weeks:g} weeks after the end of treatment + {end:g} {how}"))
            for p in points if p.anchor == "end_of_treatment"]
    if from_baseline and not _later_after_end(points, from_baseline, end) and \
            not _later_unplaced(points, max(p.weeks for p in from_baseline)):
        best = max(from_baseline, key=lambda p: p.weeks)
        result.max_from_baseline = round(best.weeks, 2)
        result.max_evidence = [best.evidence]

    known: list[tuple[float, Point]] = []
    unknown: list[Point] = []
    for p in points:
        if p.after_end is not None:
            known.append((p.after_end, p))
        elif p.anchor == "end_of_treatment" or (p.anchor == "procedure" and duration == 0):
            known.append((p.weeks, p))
        elif p.anchor in ("baseline", "treatment_start", "procedure") and end is not None:
            known.append((p.weeks - end, p))
        elif p.anchor in ("baseline", "treatment_start", "procedure"):
            unknown.append(p)
    if not known:
        return result
    value, point = max(known, key=lambda k: k[0])
    # A baseline point with an unknown duration could still lie later than every known point.
    if any(u.weeks > value for u in unknown) or _later_unplaced(points, value):
        return result
    raw = round(value, 2)
    value = max(0.0, raw)
    result.after_treatment = value
    note = f"latest assessment {value:g} weeks after the end of treatment"
    if raw < 0:  # the schedule stops before treatment ends: no assessment after it
        note = f"no assessment after the end of treatment: the latest is {-raw:g} weeks before it (reported as 0)"
    if point.dated_by is not None:
        note += f" (the time frame names no anchor; the description dates it: \u201c{point.dated_by}\u201d)"
    elif point.after_end is not None:
        note += f" (the visit at {point.weeks:g} weeks from {point.anchor.replace('_', ' ')}, dated from the end of treatment beside it)"
    elif end is not None and point.anchor != "end_of_treatment":
        result.from_duration = duration is not None
        how = f"{end:g} weeks of treatment" if duration is not None else f"the end of treatment at {end:g} weeks, as a time frame dates it"
        note += f" ({point.weeks:g} weeks from {point.anchor.replace('_', ' ')} minus {how})"
    result.after_evidence = [msgspec.structs.replace(point.evidence, note=note)]
    return result


def _dated_end(points: list[Point]) -> float | None:
    """The end of treatment as a visit written both from baseline and from the end dates it ("Week 8
    (End of Treatment)": 8; "14 weeks after the last dose (up to 128 weeks)": 114); None when none
    is, or two disagree (phases or arms of different length)."""
    ends = [p.weeks - p.after_end for p in points if p.after_end is not None]
    if not ends or _apart(min(ends), max(ends)):
        return None
    return max(ends)


def _later_after_end(points: list[Point], from_baseline: list[Point], end: float | None) -> bool:
    """A point stated from the end of treatment lies later than every point from baseline while
    the treatment length is unknown ("Before intervention" and "4 weeks after the last session";
    "3 weeks" and "one month after treatment"): it is at least that many weeks from baseline, so
    the latest point from baseline is not known, and the latest baseline point would understate it."""
    if end is not None:  # the treatment length, or the end as a time frame dates it
        return False  # then the end-of-treatment points are in from_baseline already
    latest = max(p.weeks for p in from_baseline)
    return any(p.anchor == "end_of_treatment" and p.numeric and p.weeks > latest for p in points)


def _later_unplaced(points: list[Point], latest: float) -> bool:
    """A point counted from an event we cannot place lies beyond `latest` by its own number
    ("Neurodevelopment at 18-22 months corrected age", "12 weeks postpartum"): the latest
    assessment may be that late or later, so the earlier placed point would understate it."""
    return any(p.anchor == "unknown" and p.numeric and p.weeks > latest for p in points)


def specificity(record: TrialRecord) -> tuple[bool | None, list[str], list[Evidence]]:
    """(every outcome has a specific time frame, the unspecific ones, their evidence)."""
    if not record.outcomes:
        return None, [], []
    bad: list[str] = []
    ev: list[Evidence] = []
    for o in record.outcomes:
        if o.time_points:
            continue
        tf = o.time_frame
        if tf is None and _measure_points(o):
            continue  # "ODI at 12 months": the outcome names its time
        if tf is None:
            label = f"(no time frame) {shortened(o.measure.value, 80)}" if o.measure else "(no time frame)"
            if label not in bad:
                bad.append(label)
            if o.measure:
                ev.append(Evidence.of(o.measure, quote=opening(o.measure.value, 80), note="outcome has no time frame"))
            continue
        if not timeframes.specific(tf.value):
            if tf.value not in bad:
                bad.append(tf.value)
            ev.append(Evidence.of(tf, note="time frame does not name a specific time"))
    return not bad, bad, ev


WRITES = ("follow_up.max_weeks_from_baseline", "follow_up.weeks_after_treatment",
          "follow_up.time_frames_specific", "follow_up.unspecific_time_frames")
READS = ("treatment.duration_weeks",)


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    fu = compute(record.outcomes, sheet.get("treatment.duration_weeks"), record)
    # A number computed with the treatment duration also rests on the text that states the duration.
    used = sheet.evidence.get("treatment.duration_weeks", []) if fu.from_duration else []
    sheet.set("follow_up.max_weeks_from_baseline", fu.max_from_baseline, fu.max_evidence)
    sheet.set("follow_up.weeks_after_treatment", fu.after_treatment, fu.after_evidence + used)
    specific, unspecific, spec_ev = specificity(record)
    sheet.set("follow_up.time_frames_specific", specific, spec_ev)
    sheet.set("follow_up.unspecific_time_frames", unspecific, spec_ev)
