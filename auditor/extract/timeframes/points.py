"""Time points of one time-frame text: quantities + anchors + word-only markers."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import cast

from auditor.extract import rules
from auditor.extract.record_cache import per_record
from auditor.extract.text import NUM_RE, ascii_lower, compile_fast, glued_index, unglued, weeks
from auditor.extract.timeframes import anchors as _anchors
from auditor.extract.timeframes.anchors import MARKER_RANGE, MOMENTS, PHRASE_INDEX, RULES
from auditor.extract.timeframes.quantities import Qty, quantities
from auditor.extract.timeframes.spans import Spans, free


@dataclass(frozen=True)
class TimePoint:
    weeks: float
    anchor: str  # one of ANCHORS
    start: int  # span [start, end) of the text the point was read from (quantity + its anchor)
    end: int
    stated: bool = True  # False: no anchor in the text, read as "from baseline" by registry convention
    numeric: bool = True  # False: a word-only point such as "Baseline" or "post-intervention"
    moment: bool = False  # a word-only point that names when it is ("at discharge"): specific
    interval: bool = False  # a repeat interval ("every 3 months", anchor unknown): the latest lies beyond it
    # A follow-up visit with no anchor listed after the end of treatment ("post-treatment, 1-month
    # follow-up"): from the end of treatment where from baseline it would fall before that end.
    listed_after_end: bool = False


def parse(text: str | None) -> list[TimePoint]:
    """Time points of one time-frame text, in text order; [] when nothing can be read."""
    if not text or not text.strip():
        return []
    return list(parse_cached(text))


@per_record(maxsize=8192)  # outcomes of one record repeat their time frames (emptied per record)
def parse_cached(text: str) -> tuple[TimePoint, ...]:
    # "6 and12 months": read with the missing space put in, the spans mapped back onto `text`.
    spaced, added = unglued(text)
    if not added:
        return _parse(text)
    return tuple(replace(p, start=glued_index(p.start, added), end=glued_index(p.end, added)) for p in _parse(spaced))


def _parse(text: str) -> tuple[TimePoint, ...]:
    starts = PHRASE_INDEX.starts(ascii_lower(text))
    candidates = _anchors.possible(starts)
    qtys = quantities(text)
    _anchors.attach(text, qtys, _anchors.anchors(text, starts, candidates))
    points = _quantity_points(text, qtys)
    # anchor_start and anchor_end are set together
    used = [(q.anchor_start, cast(int, q.anchor_end)) for q in qtys if q.anchor_start is not None]
    taken: list[Spans] = []
    for i, found, anchor in _anchors.matches(candidates, *MARKER_RANGE, text, starts):
        if not taken:
            taken.append(Spans([(q.start, q.end) for q in qtys] + used))
        mine = Spans()
        for m in found:
            if not free(taken, m.start(), m.end()):
                continue
            points.append((m.start(), TimePoint(0.0, anchor, m.start(), m.end(), stated=True, numeric=False,
                                                moment=i in MOMENTS)))
            mine.append(m.start(), m.end())
        taken.append(mine)
    points.sort(key=lambda p: p[0])
    return tuple(_listed_after_end(text, _counted_on(text, [p for _, p in points])))


def _listed_after_end(text: str, points: list[TimePoint]) -> list[TimePoint]:
    """Mark the follow-up visits with no anchor that the text lists after an end-of-treatment point
    ("baseline, mid-treatment, post-treatment, 1-month follow-up"; followup_latest decides)."""
    seen_end = False
    for i, p in enumerate(points):
        if p.anchor == "end_of_treatment":
            seen_end = True
        elif seen_end and p.numeric and not p.stated and p.anchor == "baseline" and _PERIOD_AFTER.match(text[p.end:p.end + 40]):
            points[i] = replace(p, listed_after_end=True)
    return points


_LATER = compile_fast(RULES["later_than_previous"], re.IGNORECASE)
_ADDITIONAL = compile_fast(RULES["additional_to_previous"], re.IGNORECASE)


def _counted_on(text: str, points: list[TimePoint]) -> list[TimePoint]:
    """"... after the intervention and 6 months later", "for 60 days and then followed up for an
    additional 60 days": a point written with "later" (or "an additional") and no anchor of its own
    is counted from the point before it (its anchor, and its weeks added). A run of them
    counts from the point before the run: "Baseline, 3 months later and 6 months later" is 3 and 6
    months from baseline, not 3 and 9."""
    low = text.lower()
    if "later" not in low and "additional" not in low and "further" not in low:
        return points
    later = [p.numeric and not p.stated and bool(_LATER.match(text[p.end:p.end + 20])
                                                 or _ADDITIONAL.search(text, max(0, p.start - 20), p.start))
             for p in points]
    ref = None  # the point the current run of "later" times counts from
    for i, p in enumerate(points):
        if not later[i]:
            ref = p
        elif ref is not None:
            points[i] = replace(p, weeks=ref.weeks + p.weeks, anchor=ref.anchor, stated=ref.stated)
    return points


def _quantity_points(text: str, qtys: list[Qty]) -> list[tuple[int, TimePoint]]:
    points: list[tuple[int, TimePoint]] = []
    for i, q in enumerate(qtys):
        if q.anchor == "before" or (i and _window_end(text, qtys[i - 1], q)):
            continue
        if q.anchor is None and i and _follow_up_period(text, qtys[i - 1], q):
            q.anchor, q.anchor_start, q.anchor_end = "end_of_treatment", q.end, q.end
        anchor = q.anchor or "baseline"
        if anchor == "treatment_start" and _follow_up_after(text, q):
            anchor = "end_of_treatment"
        lo = min(q.start, q.anchor_start if q.anchor_start is not None else q.start)
        hi = max(q.end, q.anchor_end or q.end)
        for w in q.values:
            points.append((q.start, TimePoint(w, anchor, lo, hi, stated=q.anchor is not None, interval=q.interval)))
    return points


_FOLLOW_UP_LEAD = compile_fast(RULES["follow_up_lead"], re.IGNORECASE)
_NOT_ASSESSMENT = compile_fast("|".join(f"(?:{p})" for p in RULES["not_assessment"]), re.IGNORECASE)


def _follow_up_after(text: str, q: Qty) -> bool:
    """"followed up after 3 months OF the intervention": a follow-up visit after the treatment."""
    assert q.anchor_start is not None  # an anchored quantity
    return text[q.anchor_start:q.anchor_start + 3].lower() == "of " and q.anchor_start > q.start \
        and bool(_FOLLOW_UP_LEAD.search(text, max(0, q.start - 40), q.start))


_WINDOW_UP_TO = compile_fast(RULES["window_up_to"], re.IGNORECASE)
_WINDOW_NOT_AFTER = compile_fast(RULES["window_not_after"], re.IGNORECASE)
_WINDOW_RATIO = float(RULES["window_up_to_ratio"])


def _window_end(text: str, visit: Qty, q: Qty) -> bool:
    """"6 Month Follow Up (UP TO 7 MONTHS)": the latest date of the one visit before it, not a later
    visit (rules/timeframe_anchors.yaml window_up_to). Not after a period ("Baseline to 12 weeks (up
    to 16 weeks)": its latest assessment), a list, or a visit dated from another event."""
    return (len(visit.values) == 1 and len(q.values) == 1 and visit.anchor in (None, "baseline")
            and q.anchor in (None, "baseline") and visit.values[0] < q.values[0] <= _WINDOW_RATIO * visit.values[0]
            and bool(_WINDOW_UP_TO.match(text[visit.end:q.start]))
            and not _WINDOW_NOT_AFTER.search(text[max(0, visit.start - 12):visit.start]))


_PERIOD_BEFORE = compile_fast(rules.expand(RULES["follow_up_period_before"], _anchors.MACROS,
                                           "timeframe_anchors.yaml follow_up_period_before"), re.IGNORECASE)
_PERIOD_AFTER = compile_fast(RULES["follow_up_period_after"], re.IGNORECASE)
_TREATMENT_LEAD = compile_fast(rules.expand(RULES["treatment_period_lead"], _anchors.MACROS,
                                            "timeframe_anchors.yaml treatment_period_lead"), re.IGNORECASE)
_FOLLOW_UP_NAMED = compile_fast(RULES["follow_up_period_lead"], re.IGNORECASE)
_COURSE_LEAD = compile_fast(rules.expand(RULES["course_lead"], _anchors.MACROS, "timeframe_anchors.yaml course_lead"),
                            re.IGNORECASE)
_PERIODS_JOINED = compile_fast(RULES["periods_joined"], re.IGNORECASE)


def _follow_up_period(text: str, treatment: Qty, q: Qty) -> bool:
    """"16 weeks of therapy and 4 weeks OF FOLLOW-UP", "a treatment period of 5 weeks and a
    follow-up period of 2 weeks": the follow-up period after the treatment period. A period has its
    number first: "Week 16 follow-up" is the visit of study week 16, from baseline."""
    if not NUM_RE.match(text, q.start):
        return False
    gap, follows = text[treatment.end:q.start], _PERIOD_AFTER.match(text[q.end:q.end + 40])
    if follows and _PERIOD_BEFORE.match(gap):
        return True
    # The periods named before their lengths, or a course followed in sequence by a follow-up (the
    # treatment's own, not dated from an event).
    if treatment.anchor is not None:
        return False
    lead = max(0, treatment.start - 40)
    return bool((_FOLLOW_UP_NAMED.match(gap) and _TREATMENT_LEAD.search(text, lead, treatment.start))
                or (follows and _PERIODS_JOINED.match(gap) and _COURSE_LEAD.search(text, lead, treatment.start)))


def named_times(text: str | None) -> list[TimePoint]:
    """Time points named in an outcome's own text when it has no time frame ("Pain at 12 months",
    "clearance rate at day 3"): the points with a number and a unit, of a day or more (a measure's
    own minutes and hours are its method: "6-minute walk distance"), not a number glued to a name
    by a hyphen ("EQ-5D", "(EQ)-5D" are no 5 days)."""
    if not text:
        return []
    return [p for p in parse(text) if p.numeric and p.weeks >= _DAY
            and not _IN_NAME.search(text, max(0, p.start - 2), p.start + 1)]


_DAY = weeks(1, "day")


_IN_NAME = compile_fast(r"[a-z)]-\d", re.IGNORECASE)  # "EQ-5D", "EuroQOL (EQ)-5D-5L"


def assessment(text: str | None) -> bool:
    """False for a time frame that describes how the study is run ("From first to last participant
    approached (up to 20 months)"): its times are not assessments."""
    return not (text and _NOT_ASSESSMENT.search(text))


# Between an end-of-treatment marker and the number that dates it: "Post-treatment at Week 8",
# "Post Treatment (Week 5)", "through treatment completion, an average of 1 week", "End of treatment
# visit (Week 12)", "at the end of the intervention period (12 weeks)".
_EOT_NEAR = compile_fast(r"^(?:\s+(?:visits?|period|phase))?[\s\-:,(\"'=]*(?:at|on|in|is|=|in\s+the|\([^()]{0,30}|(?:an\s+)?(?:average|mean)\s+of|approximately)?"
                         r"[\s\-:,(\"']*$", re.IGNORECASE)


def end_of_treatment_at(text: str | None) -> TimePoint | None:
    """A time frame that dates the end of treatment from baseline: "Post-treatment at Week 8",
    "Post Treatment (Week 5)", "Week 8 (End of Treatment)", "8 weeks (EOT)". None otherwise."""
    if not text:
        return None
    points = parse(text)
    for i, j in same_visit(text, points):
        p, q = points[j], points[i]
        if not p.numeric:
            return TimePoint(q.weeks, "baseline", min(p.start, q.start), max(p.end, q.end), q.stated)
    return None


def same_visit(text: str, points: list[TimePoint]) -> list[tuple[int, int]]:
    """(i, j): points[i] dates a visit from baseline and points[j] dates the same visit from the end
    of treatment, written side by side: "Post-treatment at Week 8", "Week 8 (End of Treatment)"
    (j is a word-only marker: 0 weeks after), "12 months (6 months after completing the trial)",
    "14 weeks after the last dose (up to 128 weeks)" (the span from baseline restated in brackets)."""
    pairs: list[tuple[int, int]] = []
    for j, p in enumerate(points):
        if p.anchor != "end_of_treatment":
            continue
        if not p.numeric:
            # (not a follow-up visit listed next: "post-treatment, 1-month follow-up" are two visits)
            after = [(j + 1, q) for q in points[j + 1:j + 2] if q.start >= p.end and not q.listed_after_end
                     and _EOT_NEAR.match(text[p.end:q.start])]
            before = [(j - 1, q) for q in points[max(0, j - 1):j] if q.end <= p.start and _EOT_NEAR.match(text[q.end:p.start])]
        else:  # a number restated in brackets after the one from baseline, or the span from baseline after it
            after = [(j + 1, q) for q in points[j + 1:j + 2] if q.start >= p.end and not q.stated
                     and q.weeks >= p.weeks and _TOTAL.match(text[p.end:q.start])]
            before = [(j - 1, q) for q in points[max(0, j - 1):j] if q.end <= p.start
                      and not q.stated and _RESTATED.match(text[q.end:p.start])]
        for i, q in after + before:  # the point written right after the marker, else right before it
            if q.numeric and q.anchor == "baseline":
                pairs.append((i, j))
                break
    return pairs


_RESTATED = compile_fast(r"^[\s.,]*\(\s*$")
# "14 weeks after the last dose of study drug (up to 128 weeks)": rules/timeframe_anchors.yaml.
_TOTAL = compile_fast(RULES["restated_total"], re.IGNORECASE)


def specific(text: str | None) -> bool:
    """FU03: a time frame is specific when it names a time with a unit, or only baseline/surgery.

    Not specific: missing, "end of study", "post-intervention" alone, a bare number ("12"),
    "baseline and post-intervention" (when post-intervention happens is still open).
    """
    points = parse(text)
    if any(p.numeric for p in points):
        return True
    # "Baseline", "at the end of surgery" name a moment; "post-intervention" alone does not say when.
    return bool(points) and all(p.anchor in ("baseline", "procedure") or p.moment for p in points)
