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
Recall periods ("pain over the past 7 days") and windows before an event ("within 4 weeks before
surgery") are not time points. A text with none of this ("end of study", "Through study
completion") gives [] - no guess.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from auditor.extract import rules
from auditor.extract.text import (
    NUM,
    NUM_RE,
    TriggerIndex,
    ascii_lower,
    compile_fast,
    number,
    trigger_words,
    unit_of,
    weeks,
)

ANCHORS = ("baseline", "treatment_start", "end_of_treatment", "procedure", "unknown")


@dataclass(frozen=True)
class TimePoint:
    weeks: float
    anchor: str  # one of ANCHORS
    start: int  # span [start, end) of the text the point was read from (quantity + its anchor)
    end: int
    stated: bool = True  # False: no anchor in the text, read as "from baseline" by registry convention
    numeric: bool = True  # False: a word-only point such as "Baseline" or "post-intervention"


_LONG_UNIT = (r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|mos?|mths?|years?|yrs?)")
# Single-letter units only when glued to the number ("12m", "24h", "6w"): "10 m walk" is metres.
# A list of numbers sharing one unit ("3, 6 and 12 months") is read in two linear steps: the chain
# of numbers (possessive: it never gives a number back), then the unit after it. A single pattern
# "numbers then unit" backtracks through the whole list at every number when no unit follows (a
# 2,000-number list took 20 s); see _chains.
_SEP = r"\s*-?\s*(?:,|\band\b|\bor\b|&|\bto\b|\bthrough\b|\buntil\b|-|–|/)\s*(?:(?:and|or)\s+)?"
_UNIT_AFTER = rf"(?:\.?,?\s*-?\s*(?P<unit>{_LONG_UNIT})|(?P<short>[mhdwy]))(?![a-z])(?!\s*\d)"
# The chain and, when it follows the last number, the unit (one call for the usual case).
_CHAIN = compile_fast(rf"(?<![\w.])(?P<first>{NUM})(?P<rest>(?:{_SEP}{NUM})*+)(?P<tail>{_UNIT_AFTER})?", re.IGNORECASE)
_CHAIN_NUM = re.compile(NUM, re.IGNORECASE)
_CHAIN_SEP = re.compile(_SEP, re.IGNORECASE)
_CHAIN_UNIT = re.compile(_UNIT_AFTER, re.IGNORECASE)
_DIGITS = r"\d+(?:\.\d+)?"
_PREFIX_UNIT = r"(?:minutes?|hours?|hrs?|days?|weeks?|wks?|wk|months?|mos?|years?|yrs?)"
_QTY_PREFIX = compile_fast(
    rf"\b(?P<unit>{_PREFIX_UNIT})\s*(?P<nums>{_DIGITS}(?:\s*(?:,|\band\b|\bor\b|&|\bto\b|\bthrough\b|-|–|/)\s*"
    rf"(?:(?:and|or)\s+)?(?:{_PREFIX_UNIT}\s*)?{_DIGITS})*)(?![\d.]*\s*-?\s*{_LONG_UNIT}\b)", re.IGNORECASE)
_PREFIX_PART = re.compile(rf"(?:({_PREFIX_UNIT})\s*)?({_DIGITS})", re.IGNORECASE)
_NUM_IN = compile_fast(rf"(?<![\w.]){NUM}", re.IGNORECASE)
# "the first postoperative day", "2nd post-op week": the anchor sits between number and unit.
_QTY_POSTOP = compile_fast(rf"(?P<n>{NUM})\s+post[\s-]?op(?:erative)?\s+(?P<unit>day|week|month)s?\b", re.IGNORECASE)

# Anchor vocabularies (relation words x event words) and phrase patterns are data:
# rules/timeframe_anchors.yaml (see docs/rules/timeframe_anchors.md).
_RULES = rules.load("timeframe_anchors")
_ANCHOR_MACROS = {name: "(?:" + "|".join(_RULES[name]) + ")"
                  for name in ("treatment_events", "procedure_events", "baseline_events", "after_words")}


def _anchor_rules(section: str) -> list[tuple[re.Pattern[str], str]]:
    """(pattern, anchor) per entry of a section of timeframe_anchors.yaml, in file order."""
    out: list[tuple[re.Pattern[str], str]] = []
    for i, entry in enumerate(_RULES[section]):
        where = f"timeframe_anchors.yaml {section}[{i}]"
        if entry["anchor"] not in (*ANCHORS, "before"):
            raise rules.RuleError(f"{where}: unknown anchor {entry['anchor']!r}")
        try:
            out.append((compile_fast(rules.expand(entry["pattern"], _ANCHOR_MACROS, where), re.IGNORECASE), entry["anchor"]))
        except re.error as exc:
            raise rules.RuleError(f"{where}: {exc}") from exc
    return out


# (regex, anchor); order matters only for overlaps: earlier wins.
_ANCHOR_PHRASES = _anchor_rules("anchor_phrases")
# Word-only time points (no number): 0 weeks from baseline, or 0 weeks after the end of treatment.
_MARKERS = _anchor_rules("markers")

# Where the anchor and marker patterns can match a text, from their trigger words, in one pass: most
# time frames ("Baseline, 6 weeks, 12 months") contain none of "after", "post", "from", ...
_PHRASE_INDEX = TriggerIndex({str(i): trigger_words(p) for i, (p, _) in enumerate(_ANCHOR_PHRASES + _MARKERS)})


_PHRASES = _ANCHOR_PHRASES + _MARKERS
_ALWAYS = sorted(int(name) for name in _PHRASE_INDEX.always)


def _possible(starts: dict[str, list[int]] | None) -> list[int]:
    """Indices into _PHRASES of the patterns whose trigger words the text contains, in order."""
    if starts is None:
        return list(range(len(_PHRASES)))
    return sorted([int(name) for name in starts] + _ALWAYS)


def _matches(possible: list[int], lo: int, hi: int, text: str,
             starts: dict[str, list[int]] | None) -> Iterator[tuple[list[re.Match[str]], str]]:
    """(matches, anchor) per pattern of _PHRASES[lo:hi] that may match and does, in pattern order."""
    for i in possible:
        if lo <= i < hi:
            pattern, anchor = _PHRASES[i]
            if found := list(_PHRASE_INDEX.finditer(str(i), pattern, text, starts)):
                yield found, anchor


_MAX_WEEKS = 52 * 40  # nothing registered is assessed 40 years later: larger values are ages or dates
_DECIMAL_COMMA = compile_fast(r"^\d,5$")
_BEFORE_ALONE = compile_fast(r"^\s*(?:before|prior)\b(?=\s*(?:,|;|\)|and\b|or\b|$))", re.IGNORECASE)
_DURATION_OF = compile_fast(r"(?:duration|takes?|taking|lasting|length|completion\s+time)\s+(?:of\s+|about\s+|"
                          r"approximately\s+)*$", re.IGNORECASE)
_AGE = compile_fast(r"\b(?:aged?|ages|between)\s*(?:of\s*)?(?:between\s*)?$", re.IGNORECASE)
_AGE_AFTER = compile_fast(r"^\s*(?:old|of\s+age)\b", re.IGNORECASE)
_LABEL_THEN_DATE = compile_fast(r"^[\s-]*follow[\s-]?up\s*(?:visit\s*)?(?:at\b|\()[\s(]*(?:week|day|month)?\s*$", re.IGNORECASE)
_RECALL = compile_fast(r"(?:past|last|previous|preceding|prior|recent|within the)\s+$|(?:\+/-|±|\+-)\s*$", re.IGNORECASE)
_LIST_GAP = compile_fast(r"^[\s,&/-]*(?:\([^()]{0,25}\))?[\s,&/-]*(?:(?:and|or|then)\b)?[\s,&/-]*$", re.IGNORECASE)
# Between a quantity and its anchor: a short label "(T2)" or a tolerance "± 60 days".
_AFTER_GAP = compile_fast(r"^[\s,\-:)]*(?:\((?:[^()]{0,25})\)\s*)?(?:(?:±|\+/-|\+-)\s*\d+\s*[a-z]*\s*)?$")
_BEFORE_GAP = compile_fast(r"^[\s:,\-]*(?:at|on|in|last)?[\s(]*$", re.IGNORECASE)


@dataclass
class _Qty:
    start: int
    end: int
    values: list[float]  # weeks
    anchor: str | None = None
    anchor_end: int | None = None
    anchor_start: int | None = None


def parse(text: str | None) -> list[TimePoint]:
    """Time points of one time-frame text, in text order; [] when nothing can be read."""
    if not text or not text.strip():
        return []
    return list(_parse(text))


@lru_cache(maxsize=8192)  # outcomes of one record repeat their time frames (emptied per record)
def _parse(text: str) -> tuple[TimePoint, ...]:
    starts = _PHRASE_INDEX.starts(ascii_lower(text))
    possible = _possible(starts)
    qtys = _quantities(text)
    anchors = _anchors(text, starts, possible)
    _attach(text, qtys, anchors)
    # anchor_start and anchor_end are set together
    used = [(q.anchor_start, cast(int, q.anchor_end)) for q in qtys if q.anchor_start is not None]
    points: list[tuple[int, TimePoint]] = []
    for q in qtys:
        if q.anchor == "before":
            continue
        anchor = q.anchor or "baseline"
        if anchor == "treatment_start" and _follow_up_after(text, q):
            anchor = "end_of_treatment"
        lo = min(q.start, q.anchor_start if q.anchor_start is not None else q.start)
        hi = max(q.end, q.anchor_end or q.end)
        for w in q.values:
            points.append((q.start, TimePoint(w, anchor, lo, hi, stated=q.anchor is not None)))
    taken: list[_Spans] = []
    for found, anchor in _matches(possible, len(_ANCHOR_PHRASES), len(_PHRASES), text, starts):
        if not taken:
            taken.append(_Spans([(q.start, q.end) for q in qtys] + used))
        mine = _Spans()
        for m in found:
            if not _free(taken, m.start(), m.end()):
                continue
            points.append((m.start(), TimePoint(0.0, anchor, m.start(), m.end(), stated=True, numeric=False)))
            mine.append(m.start(), m.end())
        taken.append(mine)
    points.sort(key=lambda p: p[0])
    return tuple(p for _, p in points)


_FOLLOW_UP_LEAD = compile_fast(_RULES["follow_up_lead"], re.IGNORECASE)
_NOT_ASSESSMENT = compile_fast("|".join(f"(?:{p})" for p in _RULES["not_assessment"]), re.IGNORECASE)


def _follow_up_after(text: str, q: _Qty) -> bool:
    """"followed up after 3 months OF the intervention": a follow-up visit after the treatment."""
    assert q.anchor_start is not None  # an anchored quantity
    return text[q.anchor_start:q.anchor_start + 3].lower() == "of " and q.anchor_start > q.start \
        and bool(_FOLLOW_UP_LEAD.search(text, max(0, q.start - 40), q.start))


def assessment(text: str | None) -> bool:
    """False for a time frame that describes how the study is run ("From first to last participant
    approached (up to 20 months)"): its times are not assessments."""
    return not (text and _NOT_ASSESSMENT.search(text))


def _skip(text: str, start: int, end: int) -> bool:
    """Quantities that are not time points: recall periods, tolerances, "1 week before", durations
    of a questionnaire ("completion duration of 15 minutes")."""
    return bool(_RECALL.search(text[max(0, start - 16):start]) or _BEFORE_ALONE.match(text[end:end + 12])
                or _DURATION_OF.search(text[max(0, start - 30):start]) or _AGE.search(text[max(0, start - 20):start])
                or _AGE_AFTER.match(text[end:end + 12]))


class _Spans:
    """Disjoint [start, end) spans in text order: overlap test and insertion by bisection, so a time
    frame with thousands of points is read in n log n, not n^2."""

    __slots__ = ("ends", "starts")

    def __init__(self, spans: list[tuple[int, int]] | None = None) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for s, e in sorted(spans or ()):  # merged: the spans given may overlap each other
            if self.ends and s < self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], e)
            else:
                self.starts.append(s)
                self.ends.append(e)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self.ends, start)  # the first span that ends after `start`
        return i < len(self.starts) and self.starts[i] < end

    def append(self, start: int, end: int) -> None:
        """Add a span that starts at or after the end of the last one (a pattern's matches come in
        text order, so one set per pattern is built without inserting in the middle)."""
        self.starts.append(start)
        self.ends.append(end)


def _free(spans: list[_Spans], start: int, end: int) -> bool:
    return not any(s.overlaps(start, end) for s in spans)


def _chains(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, numbers, unit) of each list of numbers followed by its unit: "3, 6 and 12
    months", "1-, 3-, and 12-months", "24h". Where the unit does not follow the last number of a
    chain, the longest part of the chain that a unit follows is read (as a backtracking pattern
    would); the search goes on after the chain, so every character is read a bounded number of times."""
    pos = 0
    while m := _CHAIN.search(text, pos):
        if m.group("tail") is not None:  # the usual case: the unit follows the whole list
            yield m.start(), m.end(), text[m.start():m.start("tail")], m.group("unit") or m.group("short")
            pos = m.end()
            continue
        pos = m.end()
        if not m.group("rest"):
            continue  # one number without a unit
        ends = [m.end("first")]
        while (sep := _CHAIN_SEP.match(text, ends[-1])) and (num := _CHAIN_NUM.match(text, sep.end())) \
                and num.end() <= m.end():
            ends.append(num.end())
        for end in reversed(ends[:-1]):
            if u := _CHAIN_UNIT.match(text, end):
                yield m.start(), u.end(), text[m.start():end], u.group("unit") or u.group("short")
                pos = u.end()
                break


def _quantities(text: str) -> list[_Qty]:
    out: list[_Qty] = []
    for start, end, listed, token in _chains(text):
        if _skip(text, start, end):
            continue
        unit = unit_of(token)
        nums = listed.replace(",", ".") if _DECIMAL_COMMA.match(listed) else listed  # "1,5-months" = 1.5
        # Calendar years ("recruitment 2000-2004, 1 year") and lifetimes are not time points.
        values = [weeks(v, unit) for n in _NUM_IN.finditer(nums) if (v := number(n.group())) < 1900]
        values = [w for w in values if w <= _MAX_WEEKS]
        if values:
            out.append(_Qty(start, end, values))
    prefixed = list(_QTY_PREFIX.finditer(text))
    suffixed = _Spans([(q.start, q.end) for q in out]) if prefixed and out else _Spans()
    for m in prefixed:
        if suffixed.overlaps(m.start(), m.end()):
            continue
        if _skip(text, m.start(), m.end()):
            continue
        unit = unit_of(m.group("unit"))
        values = []
        # Each number takes the unit written before it ("Day 0 to Week 8"), else the group's first.
        for part in _PREFIX_PART.finditer(m.group("nums")):
            values.append(weeks(float(part.group(2)), unit_of(part.group(1)) if part.group(1) else unit))
        values = [w for w in values if w <= _MAX_WEEKS]
        if values:
            out.append(_Qty(m.start(), m.end(), values))
    postop = list(_QTY_POSTOP.finditer(text)) if "post" in text.lower() else []
    taken = _Spans([(q.start, q.end) for q in out]) if postop else _Spans()
    for m in postop:
        if not taken.overlaps(m.start(), m.end()):
            out.append(_Qty(m.start(), m.end(), [weeks(number(m.group("n")), unit_of(m.group("unit")))],
                            "procedure", m.end(), m.start()))
    out.sort(key=lambda q: q.start)
    # "1-Month Follow-up at 12 weeks": the first quantity names the visit, the second dates it.
    return [q for i, q in enumerate(out) if not (i + 1 < len(out) and _LABEL_THEN_DATE.match(text[q.end:out[i + 1].start]))]


def _anchors(text: str, starts: dict[str, list[int]] | None, possible: list[int]) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    kept: list[_Spans] = []  # per pattern, the matches kept (earlier patterns win overlaps)
    for matches, anchor in _matches(possible, 0, len(_ANCHOR_PHRASES), text, starts):
        mine = _Spans()
        for m in matches:
            if _free(kept, m.start(), m.end()):
                found.append((m.start(), m.end(), anchor))
                mine.append(m.start(), m.end())
        kept.append(mine)
    found.sort()
    return found


def _attach(text: str, qtys: list[_Qty], anchors: list[tuple[int, int, str]]) -> None:
    # The anchors are disjoint and sorted, so their starts and their ends are both in order.
    starts = [a[0] for a in anchors]
    ends = [a[1] for a in anchors]
    # Right to left, so a list inherits the anchor written after its last member.
    for i in range(len(qtys) - 1, -1, -1):
        q = qtys[i]
        nxt_q = qtys[i + 1] if i + 1 < len(qtys) else None
        k = bisect_left(starts, q.end)  # the first anchor that starts at or after the quantity's end
        nxt_a = anchors[k] if k < len(anchors) else None
        if nxt_a and (nxt_q is None or nxt_a[0] < nxt_q.start) and _AFTER_GAP.match(_gap(text, q.end, nxt_a[0])):
            q.anchor, q.anchor_start, q.anchor_end = nxt_a[2], nxt_a[0], nxt_a[1]
            continue
        if nxt_q and nxt_q.anchor and _LIST_GAP.match(text[q.end:nxt_q.start]) and \
                (nxt_a is None or nxt_a[0] >= nxt_q.start):
            q.anchor, q.anchor_start, q.anchor_end = nxt_q.anchor, nxt_q.anchor_start, nxt_q.anchor_end
            continue
    # Then left to right for a procedure anchor written just before ("postoperative day 1", "post-op
    # at 6 weeks"). Not for end of treatment: "Post-treatment at Week 8" / "Post Treatment (Week 5)"
    # name the post-treatment visit and date it from baseline.
    for i, q in enumerate(qtys):
        if q.anchor:
            continue
        k = bisect_right(ends, q.start)  # anchors[:k] end at or before the quantity
        prev = anchors[k - 1] if k else None
        if prev and prev[2] == "procedure" and _BEFORE_GAP.match(text[prev[1]:q.start]) \
                and (i == 0 or qtys[i - 1].end <= prev[0]):
            q.anchor, q.anchor_start, q.anchor_end = prev[2], prev[0], prev[1]
        elif i and (p := qtys[i - 1]).anchor and p.anchor_start is not None and p.anchor_start < p.start \
                and _LIST_GAP.match(text[p.end:q.start]):
            # "post-op (3 month (± 1 month) and 12 months ...)": the list goes on under the same anchor.
            q.anchor, q.anchor_start, q.anchor_end = p.anchor, p.anchor_start, p.anchor_end


def _gap(text: str, start: int, end: int) -> str:
    # "3 months (T2) after surgery", "12 weeks - post intervention": tolerate short labels in between.
    return text[start:end] if end - start <= 30 else "x"


_EOT_NEAR = compile_fast(r"^[\s\-:,(\"'=]*(?:at|on|in|is|=|in\s+the|\([^()]{0,30})?[\s\-:,(\"']*$", re.IGNORECASE)


def end_of_treatment_at(text: str | None) -> TimePoint | None:
    """A time frame that dates the end of treatment from baseline: "Post-treatment at Week 8",
    "Post Treatment (Week 5)", "Week 8 (End of Treatment)", "8 weeks (EOT)". None otherwise."""
    if not text:
        return None
    points = parse(text)
    for i, p in enumerate(points):
        if p.numeric or p.anchor != "end_of_treatment":
            continue
        for q in points[i + 1:i + 2]:  # the point written right after the marker
            if q.numeric and q.anchor == "baseline" and q.start >= p.end and _EOT_NEAR.match(text[p.end:q.start]):
                return TimePoint(q.weeks, "baseline", p.start, q.end, q.stated)
        for q in points[max(0, i - 1):i]:  # or right before it: "Week 8 (End of Treatment)"
            if q.numeric and q.anchor == "baseline" and q.end <= p.start and _EOT_NEAR.match(text[q.end:p.start]):
                return TimePoint(q.weeks, "baseline", q.start, p.end, q.stated)
    return None


def specific(text: str | None) -> bool:
    """FU03: a time frame is specific when it names a time with a unit, or only baseline/surgery.

    Not specific: missing, "end of study", "post-intervention" alone, a bare number ("12"),
    "baseline and post-intervention" (when post-intervention happens is still open).
    """
    points = parse(text)
    if any(p.numeric for p in points):
        return True
    # "Baseline", "at the end of surgery" name a moment; "post-intervention" alone does not say when.
    return bool(points) and all(p.anchor in ("baseline", "procedure") for p in points)


__all__ = ["ANCHORS", "NUM_RE", "TimePoint", "assessment", "end_of_treatment_at", "parse", "specific"]
