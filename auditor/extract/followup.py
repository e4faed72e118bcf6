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
  unknown, the other points are placed against it (followup_latest).
- Time frames that name no anchor take the end of treatment where the summary/description dates
  the same times from it ("6 and 12 months after study completion"; followup_narrative).
- FU03 specificity: every outcome's time frame names a time.

Modules: followup_points (an outcome's time points), followup_narrative (the summary/description),
followup_latest (the latest points); this one checks protocol outcomes against themselves and writes the facts.
"""

from __future__ import annotations

from operator import attrgetter
from typing import cast

import msgspec

from auditor.extract import timeframes
from auditor.extract.followup_latest import FollowUp, apart, compute_points
from auditor.extract.followup_narrative import dated_by_narrative, narrative_points
from auditor.extract.followup_points import Point, measure_points, outcome_points
from auditor.extract.text import opening, shortened
from auditor.facts import Evidence, FactSheet
from auditor.model import Outcome, Text, TrialRecord


def compute(outcomes: list[Outcome], duration: float | None, record: TrialRecord | None = None) -> FollowUp:
    """Follow-up from the outcomes' time points. When no outcome has one and `record` is given, the
    assessment schedule stated in the summary/description is used instead (older records often
    register outcomes without time frames but describe "assessments at 3, 6, 12 and 52 weeks")."""
    points = [p for o in outcomes for p in outcome_points(o)]
    if not points and record is not None:
        points = narrative_points(record)
    elif record is not None and (record.summary is not None or record.description is not None):
        points = dated_by_narrative(points, record, duration)
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
        if apart(fu.max_from_baseline, by_text.max_from_baseline):
            fu.max_from_baseline = None
            fu.max_evidence = _disagreeing(own.max_evidence or fu.max_evidence,
                                           text.max_evidence or by_text.max_evidence, tf)
        if apart(fu.after_treatment, by_text.after_treatment):
            fu.after_treatment = None
            fu.after_evidence = _disagreeing(own.after_evidence or fu.after_evidence,
                                             text.after_evidence or by_text.after_evidence, tf)
    return fu


def _disagreeing(points: list[Evidence], text: list[Evidence], time_frame: str) -> list[Evidence]:
    """Both sides of a contradiction, each note saying what the other says."""
    return ([msgspec.structs.replace(e, note=f"{e.note}; the outcome's time points disagree with its time frame "
                                             f"\u201c{time_frame}\u201d") for e in points]
            + [msgspec.structs.replace(e, note=f"{e.note}; the outcome's time frame disagrees with its time points")
               for e in text])


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
        if tf is None and measure_points(o):
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
