"""Quantities of a time-frame text: numbers with their unit, in weeks ("3, 6 and 12 months",
"Week 12", "Day 0 to Week 8", "the first postoperative day").

Units come from rules/units.yaml through auditor.extract.text (UNIT_WORD, UNIT_LETTER,
UNIT_BEFORE_NUMBER); nothing here spells a unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.extract import rules
from auditor.extract.text import (
    NUM,
    PLUS_MINUS,
    UNIT,
    UNIT_BEFORE_NUMBER,
    UNIT_LETTER,
    UNIT_WEEKS,
    UNIT_WORD,
    compile_fast,
    number,
    unit_of,
    weeks,
)
from auditor.extract.timeframes.foreign import foreign_times
from auditor.extract.timeframes.spans import Spans


@dataclass
class Qty:
    """A quantity: its span, its values in weeks, and (once attached) its anchor phrase."""

    start: int
    end: int
    values: list[float]  # weeks
    anchor: str | None = None
    anchor_end: int | None = None
    anchor_start: int | None = None
    restarts: bool = False  # a list that starts anew at this quantity (_prefixed): no anchor is handed back
    interval: bool = False  # a repeat interval ("every 3 months"): how often, not when (_interval)


# A list of numbers sharing one unit ("3, 6 and 12 months") is read in two linear steps: the chain
# of numbers (possessive: it never gives a number back), then the unit after it. A single pattern
# "numbers then unit" backtracks through the whole list at every number when no unit follows (a
# 2,000-number list took 20 s); see chains().
_SEP = r"\s*-?\s*(?:,|\band\b|\bor\b|&|\bto\b|\bthrough\b|\buntil\b|-|–|/)\s*(?:(?:and|or)\s+)?"
# One-letter units only glued to the number ("12m", "24h", "6w"): "10 m walk" is metres.
_UNIT_AFTER = rf"(?:\.?,?\s*-?\s*(?P<unit>{UNIT_WORD})|(?P<short>{UNIT_LETTER}))(?![a-z])(?!\s*\d)"
# The chain and, when it follows the last number, the unit (one call for the usual case).
_CHAIN = compile_fast(rf"(?<![\w.])(?P<first>{NUM})(?P<rest>(?:{_SEP}{NUM})*+)(?P<tail>{_UNIT_AFTER})?", re.IGNORECASE)
_CHAIN_NUM = re.compile(NUM, re.IGNORECASE)
_CHAIN_SEP = re.compile(_SEP, re.IGNORECASE)
_CHAIN_UNIT = re.compile(_UNIT_AFTER, re.IGNORECASE)
_LABEL_IN_LIST = compile_fast(r"\s*\([^()\d]{1,40}\)\s*,?\s*(?:(?:and|or)\s+)?", re.IGNORECASE)
_LIST_BEFORE = compile_fast(r"(?:\bat|\bon|,|:|\band|^)\s*$", re.IGNORECASE)
_DIGITS = r"\d+(?:\.\d+)?"
_QTY_PREFIX = compile_fast(
    rf"\b(?P<unit>{UNIT_BEFORE_NUMBER})\s*(?P<nums>{_DIGITS}(?:\s*(?:,|\band\b|\bor\b|&|\bto\b|\bthrough\b|-|–|/)\s*"
    rf"(?:(?:and|or)\s+)?(?:{UNIT_BEFORE_NUMBER}\s*)?{_DIGITS})*)(?![\d.]*\s*-?\s*{UNIT_WORD}\b)", re.IGNORECASE)
_PREFIX_PART = re.compile(rf"(?:({UNIT_BEFORE_NUMBER})\s*)?({_DIGITS})", re.IGNORECASE)
_NUM_IN = compile_fast(rf"(?<![\w.]){NUM}", re.IGNORECASE)
# "the first postoperative day", "2nd post-op week": the anchor sits between number and unit.
_QTY_POSTOP = compile_fast(rf"(?P<n>{NUM})\s+post[\s-]?op(?:erative)?\s+(?P<unit>{UNIT})\b", re.IGNORECASE)

MAX_WEEKS = 52 * 40  # nothing registered is assessed 40 years later: larger values are ages or dates
_DECIMAL_COMMA = compile_fast(r"^\d,5$")
_BEFORE_ALONE = compile_fast(r"^\s*(?:before|prior)\b(?=\s*(?:,|;|\)|and\b|or\b|$))", re.IGNORECASE)
_DURATION_OF = compile_fast(r"(?:duration|takes?|taking|lasting|length|completion\s+time)\s+(?:of\s+|about\s+|"
                          r"approximately\s+)*$", re.IGNORECASE)
_AGE = compile_fast(r"\b(?:aged?|ages|between)\s*(?:of\s*)?(?:between\s*)?$", re.IGNORECASE)
# ... and people, then their age in brackets: "adolescents and young adults with early psychosis
# (12-29 years)" (not "at long-term follow-up (2-5 years)").
_AGE_BRACKET = compile_fast(r"\b(?:adults?|adolescents?|children|youths?|people|patients|participants|subjects|women|men|"
                            r"girls|boys|persons|individuals|infants|students)(?:\s+[\w-]+){0,3}?\s*\(\s*$", re.IGNORECASE)
# ... an age range in years ("(13-19y)"): "(6 months postpartum)" is a time, and "Follow-up of all
# patients (5 years)" a length of follow-up.
_IN_YEARS = compile_fast(r"\d\s*(?:-|–|to)\s*\d+\s*-?\s*y", re.IGNORECASE)
# "5 years old", "0-24 year olds"; "treated 10 years AGO" is a history, no time point.
_AGE_AFTER = compile_fast(r"^[\s-]*(?:olds?|of\s+age|ago)\b", re.IGNORECASE)
# "at 36 weeks corrected age": an age dated from birth (rules/timeframe_anchors.yaml), anchor unknown.
_RULES = rules.load("timeframe_anchors")
_AGE_DATED = compile_fast(_RULES["age_dated_from_birth"], re.IGNORECASE)
_LABEL_THEN_DATE = compile_fast(rf"^[\s-]*follow[\s-]?up\s*(?:visit\s*)?(?:at\b|\()[\s(]*{UNIT_BEFORE_NUMBER}?\s*$", re.IGNORECASE)
_RECALL = compile_fast(rf"(?:past|last|previous|preceding|prior|recent|within the)\s+$|{PLUS_MINUS}\s*$", re.IGNORECASE)
# "normal for at least 72 hours", "taken 24 hours apart": how long a state lasts (rules/timeframe_anchors.yaml).
_STATE_BEFORE = compile_fast("|".join(f"(?:{p})" for p in _RULES["state_length_before"]), re.IGNORECASE)
_STATE_AFTER = compile_fast(_RULES["state_length_after"], re.IGNORECASE)
_STATE_NOT_AFTER = compile_fast(_RULES["state_length_not_after"], re.IGNORECASE)
# "Month 6 (window: 5-7 months)": when the visit may happen (rules/timeframe_anchors.yaml).
_WINDOW = compile_fast(_RULES["window_before"], re.IGNORECASE)
# "every 3 months": how often, not when (rules/timeframe_anchors.yaml interval_before).
_INTERVAL = compile_fast(_RULES["interval_before"], re.IGNORECASE)


def _skip(text: str, start: int, end: int) -> bool:
    """Quantities that are not time points: recall periods, tolerances and visit windows ("+/- 7
    days", "(window: 5-7 months)"), "1 week before", durations of a questionnaire ("completion
    duration of 15 minutes"), how long a state lasts ("normal for at least 72 hours")."""
    return bool(_RECALL.search(text[max(0, start - 16):start]) or _BEFORE_ALONE.match(text[end:end + 12])
                or _WINDOW.search(text[max(0, start - 30):start])
                or _DURATION_OF.search(text[max(0, start - 30):start]) or _AGE.search(text[max(0, start - 20):start])
                or (_IN_YEARS.search(text, start, end) is not None and _AGE_BRACKET.search(text[max(0, start - 60):start]) is not None)
                or _AGE_AFTER.match(text[end:end + 12]) or _state_length(text, start, end))


def _state_length(text: str, start: int, end: int) -> bool:
    if _STATE_AFTER.match(text, end, end + 10):
        return True
    before = text[max(0, start - 60):start]
    m = _STATE_BEFORE.search(before)
    return bool(m and not _STATE_NOT_AFTER.search(before, 0, m.start()))


def chains(text: str) -> Iterator[tuple[int, int, str, str]]:
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
        # "at 6, 12 (end of treatment), and 24 weeks": a visit's label in brackets splits the list;
        # the numbers before it take the unit of the list after it (and stop before the label, so
        # the label dates their last number: timeframes.same_visit).
        if (_LIST_BEFORE.search(text, max(0, m.start() - 12), m.start()) and (label := _LABEL_IN_LIST.match(text, m.end()))
                and (rest := _CHAIN.match(text, label.end())) and rest.group("tail") is not None):
            yield m.start(), m.end(), text[m.start():m.end()], rest.group("unit") or rest.group("short")
            continue
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


def _suffixed(text: str) -> list[Qty]:
    """Numbers followed by their unit ("3, 6 and 12 months")."""
    out: list[Qty] = []
    for chain_start, end, chain, token in chains(text):
        start, listed = _after_unit_word(text, chain_start, chain)
        if _skip(text, start, end):
            continue
        unit = unit_of(token)
        nums = listed.replace(",", ".") if _DECIMAL_COMMA.match(listed) else listed  # "1,5-months" = 1.5
        # Calendar years ("recruitment 2000-2004, 1 year") and lifetimes are not time points.
        values = [weeks(v, unit) for n in _NUM_IN.finditer(nums) if (v := number(n.group())) < 1900]
        values = [w for w in values if w <= MAX_WEEKS]
        if values and (q := _interval(text, _dated_age(text, Qty(start, end, values)))) is not None:
            out.append(q)
    return out


def _interval(text: str, q: Qty) -> Qty | None:
    """A repeat interval ("every 3 months", "Every 1 to 3 months") says how often, not when the
    last assessment is: its anchor is unknown, so it places no visit, and the latest is unknown
    unless another point lies later (an open repeat "every 6 months for as long as you allow" goes on
    past its first interval; "every 4 weeks up to 24 weeks" ends at 24). An interval shorter than a
    day ("blood pressure taken every five minutes") repeats within one session: no time at all."""
    if q.anchor is None and _INTERVAL.search(text, max(0, q.start - 12), q.start):
        if max(q.values) < weeks(1, "day"):
            return None
        q.anchor, q.anchor_start, q.anchor_end, q.interval = "unknown", q.start, q.start, True
    return q


# "Week 12 and 4 weeks later": a unit word before the first of two numbers ("Week") joined by
# "and"/"," (not a range "Week 6 to 12 weeks", one span).
_UNIT_WORD_BEFORE = compile_fast(rf"\b{UNIT_BEFORE_NUMBER}\s*$", re.IGNORECASE)
_AND_NOT_RANGE = compile_fast(r"[\s,&]*(?:(?:and|or)\b[\s,]*)?", re.IGNORECASE)


def _after_unit_word(text: str, start: int, listed: str) -> tuple[int, str]:
    """(start, numbers) of a list of numbers with its unit, without a first number that belongs to
    a unit word before it: "Week 12 and 4 weeks" is week 12 (read by _prefixed) and 4 weeks, not
    the list "12 and 4 weeks"."""
    if not _UNIT_WORD_BEFORE.search(text[max(0, start - 12):start]):
        return start, listed
    first = _CHAIN_NUM.match(listed)
    sep = _CHAIN_SEP.match(listed, first.end()) if first else None
    if first is None or sep is None or not _AND_NOT_RANGE.fullmatch(listed, first.end(), sep.end()) \
            or not _CHAIN_NUM.fullmatch(listed.rstrip(" -"), sep.end()):
        return start, listed  # a range, or a longer list ("Month 3, 6 and 12 months": all months)
    return start + sep.end(), listed[sep.end():]


def _dated_age(text: str, q: Qty) -> Qty:
    """An age written after the quantity ("18-22 months corrected age") is its anchor: unknown,
    an assessment at that age is no time from baseline."""
    if age := _AGE_DATED.match(text, q.end):
        q.anchor, q.anchor_start, q.anchor_end = "unknown", q.end, age.end()
    return q


def _prefixed(text: str, out: list[Qty]) -> list[Qty]:
    """A unit followed by numbers ("Week 12", "Months 1, 2, 3", "Day 0 to Week 8"), where no
    quantity of `out` is read already."""
    prefixed = list(_QTY_PREFIX.finditer(text))
    suffixed = Spans([(q.start, q.end) for q in out]) if prefixed and out else Spans()
    found: list[Qty] = []
    for m in prefixed:
        if suffixed.overlaps(m.start(), m.end()) or _skip(text, m.start(), m.end()):
            continue
        unit = unit_of(m.group("unit"))
        # Each number takes the unit written before it ("Day 0 to Week 8"), else the last one written
        # before that: "Week 6, Month 3, 6 and 12" is 6 and 12 months, "Day 4, Weeks 41, 103 and 115"
        # is 103 and 115 weeks (the group's first unit read them as weeks and days).
        # A unit written again before a smaller number starts a new list: "Week 0, 2, 4, 8 and
        # WEEK 4 after the end of intake" is weeks 0-8 of the study and one visit after the intake.
        values: list[float] = []
        start, last_end = m.start(), m.start()
        for part in _PREFIX_PART.finditer(m.group("nums")):
            at = m.start("nums")
            unit = unit_of(part.group(1)) if part.group(1) else unit
            w = weeks(float(part.group(2)), unit)
            if part.group(1) and values and w < values[-1]:
                if kept := [v for v in values if v <= MAX_WEEKS]:
                    found.append(Qty(start, last_end, kept))
                values, start = [], at + part.start()
            values.append(w)
            last_end = at + part.end()
        values = [w for w in values if w <= MAX_WEEKS]
        if values:
            found.append(Qty(start, m.end(), values, restarts=start > m.start()))
    return found


# "Three (3) months", "six (6) and twelve (12) months": a number restated in digits in brackets.
_RESTATED_DIGITS = compile_fast(rf"(?<![\w.])(?P<n>{NUM})(?P<bracket>\s*\(\s*(?P<d>\d+)\s*\))", re.IGNORECASE)
# A tolerance between a number and its unit: "Up to 7 (± 1) days", "24 (+/- 4) hours", "6±1 months".
_TOLERANCE = compile_fast(rf"(?<![\w.])(?P<n>{_DIGITS})(?P<bracket>\s*(?:\(\s*{PLUS_MINUS}\s*(?P<d>{_DIGITS})\s*\)"
                          rf"|{PLUS_MINUS}\s*(?P<e>{_DIGITS})))(?=\s*-?\s*{UNIT_WORD}\b)", re.IGNORECASE)
# ... but not after a unit written before the number: in "Week 12 ± 3 days" the tolerance has its
# own unit, and 12 is the week.
_UNIT_BEFORE = compile_fast(rf"\b{UNIT_BEFORE_NUMBER}\s*$", re.IGNORECASE)


def _unrestated(text: str) -> str:
    """The text with a number's bracketed restatement or its tolerance blanked (same length, so
    spans still hold): "Three (3) months" reads as "Three months", not as a number without a unit
    and then 3 months; "Up to 7 (± 1) days" as "Up to 7 days" (the tolerance says when the visit
    may fall, the time point is 7 days), where the tolerance is less than the number."""
    if "(" in text:
        text = _RESTATED_DIGITS.sub(lambda m: m.group("n") + " " * len(m.group("bracket"))
                                    if number(m.group("n")) == float(m.group("d")) else m.group(), text)
    if "+" in text or "±" in text:
        text = _TOLERANCE.sub(lambda m: m.group("n") + " " * len(m.group("bracket"))
                              if float(m.group("d") or m.group("e")) < float(m.group("n"))
                              and not _UNIT_BEFORE.search(m.string, max(0, m.start() - 12), m.start()) else m.group(), text)
    return text


# One time written in two units, the larger first: "up to 15 years 5 months", "1 year 6 months"
# (nothing between: "12 months, 6 weeks" and "at 1 year and 6 months" may be two visits).
_COMPOUND = compile_fast(rf"(?<![\w.])(?P<a>{_DIGITS})\s*(?P<ua>{UNIT_WORD})\s+(?P<b>{_DIGITS})\s*"
                         rf"(?P<ub>{UNIT_WORD})\b", re.IGNORECASE)


def _compound(text: str) -> tuple[str, list[Qty]]:
    """(the text with each compound time blanked, their quantities): the sum of both parts."""
    found: list[Qty] = []
    for m in _COMPOUND.finditer(text):
        ua, ub = unit_of(m.group("ua")), unit_of(m.group("ub"))
        if UNIT_WEEKS[ua] <= UNIT_WEEKS[ub] or _skip(text, m.start(), m.end()):
            continue
        total = round(float(m.group("a")) * UNIT_WEEKS[ua] + float(m.group("b")) * UNIT_WEEKS[ub], 2)
        if total <= MAX_WEEKS:
            found.append(Qty(m.start(), m.end(), [total]))
    for q in found:
        text = text[:q.start] + " " * (q.end - q.start) + text[q.end:]
    return text, found


def quantities(text: str) -> list[Qty]:
    """Every quantity of the text in text order (the postoperative ones come with their anchor)."""
    text = _unrestated(text)
    text, compound = _compound(text)
    out = _suffixed(text) + compound
    out += _prefixed(text, out)
    postop = list(_QTY_POSTOP.finditer(text)) if "post" in text.lower() else []
    taken = Spans([(q.start, q.end) for q in out]) if postop else Spans()
    for m in postop:
        if not taken.overlaps(m.start(), m.end()):
            out.append(Qty(m.start(), m.end(), [weeks(number(m.group("n")), unit_of(m.group("unit")))],
                           "procedure", m.end(), m.start()))
    out += _foreign(text, out)
    out.sort(key=lambda q: q.start)
    # "1-Month Follow-up at 12 weeks": the first quantity names the visit, the second dates it.
    return [q for i, q in enumerate(out) if not (i + 1 < len(out) and _LABEL_THEN_DATE.match(text[q.end:out[i + 1].start]))]


def _foreign(text: str, out: list[Qty]) -> list[Qty]:
    """Times in another language's unit ("12 måneder", "Woche 12"; rules/other_languages.yaml),
    where no English quantity is read: counted from an event the rules cannot read (anchor
    "unknown", unless an English anchor phrase follows), a specific time all the same."""
    found = foreign_times(text)
    taken = Spans([(q.start, q.end) for q in out]) if found and out else Spans()
    return [Qty(f.start, f.end, values, "unknown", f.end, f.end) for f in found
            if not taken.overlaps(f.start, f.end) and not _skip(text, f.start, f.end)
            and (values := [w for w in f.values if w <= MAX_WEEKS])]
