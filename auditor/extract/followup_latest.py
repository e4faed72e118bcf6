"""The latest assessment from baseline and after the end of treatment, from time points
(`compute_points`; the rules are in followup.py's docstring and CRITERIA.md "Time frames")."""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec

from auditor.extract.followup_points import Point
from auditor.facts import Evidence


@dataclass
class FollowUp:
    max_from_baseline: float | None = None
    max_evidence: list[Evidence] = field(default_factory=list)
    after_treatment: float | None = None
    after_evidence: list[Evidence] = field(default_factory=list)
    # after_treatment was computed from the treatment duration (a time from baseline minus it), so
    # it also rests on the text that states the duration.
    from_duration: bool = False


def apart(points: float | None, text: float | None) -> bool:
    """Two figures for the same fact that name different times. Within 10% (at least half a week)
    they are the same visit: months are often written as 4 weeks (6 months -> 24 weeks) and days
    rounded to weeks (day 90 -> 13 weeks)."""
    return points is not None and text is not None and abs(points - text) > max(0.5, 0.1 * max(points, text))


def compute_points(points: list[Point], duration: float | None) -> FollowUp:
    result = FollowUp()
    from_baseline = [p for p in points if p.anchor in ("baseline", "treatment_start", "procedure")]
    dated_end = _dated_end(points) if duration is None else None
    end = duration if duration is not None else dated_end
    if end is not None and end > 0 and any(_listed_after(p) for p in points):
        # Compared with the end a time frame dates itself, where one does: "post-intervention (3
        # months), 6-month follow-up" beside 12 months of app use are visits after that end.
        dated = _dated_end(points)
        limit = dated if dated is not None else end
        if any(_listed_after(p) and p.weeks <= limit for p in points):
            points = [_after_end_visit(p, end) for p in points]
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
    if any(u.weeks > value for u in unknown) or _later_unplaced(points, value, end):
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
    if not ends or apart(min(ends), max(ends)):
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


def _later_unplaced(points: list[Point], latest: float, end: float | None = None) -> bool:
    """A point counted from an event we cannot place lies beyond `latest` by its own number
    ("Neurodevelopment at 18-22 months corrected age", "12 weeks postpartum"): the latest
    assessment may be that late or later, so the earlier placed point would understate it. A repeat
    interval ("every 6 months") runs from baseline: after the end of treatment (`end` given, the
    latest after it being `latest`) it reaches its weeks minus the treatment's."""
    return any(p.anchor == "unknown" and p.numeric
               and (p.weeks - end if p.interval and end is not None else p.weeks) > latest for p in points)


def _listed_after(p: Point) -> bool:
    """A follow-up visit with no anchor listed after the end of treatment. When one would fall at
    or before that end counted from baseline ("baseline, mid-treatment, post-treatment, 1-month
    follow-up" with 8 weeks of treatment), the record counts its follow-ups from the end: a
    follow-up comes after the treatment."""
    return p.listed_after_end and p.anchor == "baseline"


def _after_end_visit(p: Point, end: float) -> Point:
    """Where a record counts its follow-ups from the end of treatment (`_listed_after`), every
    follow-up visit it lists after that end does so ("post-treatment, and at months 3 and 6 of
    follow-up" after 21 weeks: 13 and 26 weeks after the end). Otherwise they keep the registry
    convention, from baseline ("post-treatment, and 6 month-follow-up" after 12 weeks: 26 weeks
    from baseline)."""
    if not _listed_after(p):
        return p
    note = (f"{p.weeks:g} weeks after the end of treatment (a follow-up listed after it; counted from baseline, "
            f"this record's follow-ups would fall before the end of treatment at {end:g} weeks)")
    return Point(p.weeks, "end_of_treatment", msgspec.structs.replace(p.evidence, note=note), p.numeric)
