"""The time points of one outcome as follow-up reads them (`Point`): the protocol's structured time
points, else its time-frame text (timeframes/), else, with no time frame, the times named in the
outcome itself ("Oswestry Disability Index at 12 months").

A visit written both from baseline and from the end of treatment ("Week 8 (End of Treatment)",
"14 weeks after the last dose (up to 128 weeks)") is one point that also carries its weeks after
the end of treatment (`after_end`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial

from auditor.extract import timeframes
from auditor.extract.text import quote_around
from auditor.facts import Evidence
from auditor.model import Outcome, Text


class Point:
    """A time point; its Evidence is built on first use (most points are never quoted: only the
    latest one is, and an outcome usually has several)."""

    __slots__ = ("_evidence", "_make", "after_end", "anchor", "dated_by", "interval", "listed_after_end", "numeric",
                 "stated", "weeks")

    def __init__(self, weeks: float, anchor: str, evidence: Evidence | None = None, numeric: bool = True,
                 make: Callable[[], Evidence] | None = None, stated: bool = True, after_end: float | None = None,
                 interval: bool = False, listed_after_end: bool = False) -> None:
        self.weeks, self.anchor, self.numeric, self.stated = weeks, anchor, numeric, stated
        # A repeat interval ("every 3 months", anchor unknown): no visit; the latest lies beyond it.
        self.interval = interval
        # A follow-up visit listed after the end of treatment ("post-treatment, 1-month follow-up").
        self.listed_after_end = listed_after_end
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


def outcome_points(outcome: Outcome) -> list[Point]:
    """Time points of one outcome: structured protocol points win over the time-frame text."""
    if outcome.time_points:
        return [Point(tp.weeks.value, tp.anchor,
                      Evidence.of(tp.weeks, note=f"{tp.weeks.value:g} weeks from {tp.anchor.replace('_', ' ')}"))
                for tp in outcome.time_points]
    tf = outcome.time_frame
    if tf is None:
        return measure_points(outcome)
    if not timeframes.assessment(tf.value):
        return []  # a recruitment period, not a time participants are assessed at
    parsed = timeframes.parse(tf.value)
    pairs = timeframes.same_visit(tf.value, parsed) if len(parsed) > 1 and \
        any(p.anchor == "end_of_treatment" for p in parsed) else None
    if not pairs:  # the usual case
        return [Point(p.weeks, p.anchor, None, p.numeric, partial(_evidence, tf, p), p.stated, interval=p.interval,
                      listed_after_end=p.listed_after_end) for p in parsed]
    dated = dict(pairs)
    restating = set(dated.values())  # the end-of-treatment half of a pair: folded into its partner
    return [Point(p.weeks, p.anchor, None, p.numeric, partial(_evidence, tf, _both(p, parsed[dated[i]]) if i in dated else p),
                  p.stated, parsed[dated[i]].weeks if i in dated else None, interval=p.interval,
                  listed_after_end=p.listed_after_end)
            for i, p in enumerate(parsed) if i not in restating]


def _both(p: timeframes.TimePoint, q: timeframes.TimePoint) -> timeframes.TimePoint:
    """A visit and its other dating, quoted together ("30 days after the last dose ... (up to 320 weeks)")."""
    return dataclasses.replace(p, start=min(p.start, q.start), end=max(p.end, q.end))


def measure_points(outcome: Outcome) -> list[Point]:
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
