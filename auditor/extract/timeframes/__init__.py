"""Outcome time frames (free text) to time points in weeks with their anchor.

"Baseline, 6 weeks, 3, 6 and 12 months" -> 0, 6, 13, 26, 52 (baseline);
"12 months after the end of treatment" -> 52 (end_of_treatment); "Day 0 to Week 8" -> 0, 8.

How it reads a text:
1. quantities: a list of numbers with one unit ("3, 6 and 12 months", "1-, 3-, and 12-months",
   "Twelve and Twenty-four months", "6th month") or a unit followed by numbers ("Week 12",
   "Months 1, 2, 3", "Day 29, Day 57");
2. anchor phrases: "after the end of treatment", "post-operatively", "from baseline", ...;
3. each quantity takes the anchor phrase that follows it closely, else the anchor of the next
   quantity of the same list ("3, 6 months and 1 year post-operation"), else one directly before it
   ("postoperative day 1"); without any, the registry convention applies (counted from baseline),
   flagged `stated=False`.
4. word-only time points: "baseline"/"pre-treatment" (0 weeks from baseline) and
   "post-intervention"/"end of treatment" (0 weeks after the end of treatment), when they are not
   part of an anchored quantity.
5. a time with another language's unit word ("12 måneder", "Woche 12"; timeframes/foreign.py,
   rules/other_languages.yaml): a point from an event the rules cannot read (anchor "unknown"),
   unless an English anchor phrase follows.
Recall periods ("pain over the past 7 days") and windows before an event ("within 4 weeks before
surgery") are not time points. A text with none of this ("end of study", "Through study
completion") gives [] - no guess.
"""

from __future__ import annotations

from auditor.extract.text import NUM_RE
from auditor.extract.timeframes.anchors import ANCHORS
from auditor.extract.timeframes.points import (
    TimePoint,
    assessment,
    end_of_treatment_at,
    named_times,
    parse,
    parse_cached,
    same_visit,
    specific,
)

_parse = parse_cached  # the per-record cache that derive() empties (auditor/extract/__init__.py)

__all__ = ["ANCHORS", "NUM_RE", "TimePoint", "assessment", "end_of_treatment_at", "named_times", "parse", "same_visit", "specific"]
