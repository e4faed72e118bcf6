"""population.chronic_lbp_12w from the eligibility text: the NIH Task Force definition, else the
floors the criteria set on how long the pain (or the failed conservative care for it) has lasted,
else "any duration" / acute pain eligible, else "chronic" without a duration (the rules: the
package's docstring)."""

from __future__ import annotations

import re
from typing import NamedTuple

from auditor.extract.instruments import negated
from auditor.extract.population.patterns import (
    AFTER_ANCHOR,
    CHRONIC_BRACKET_AFTER,
    CHRONIC_BRACKET_BEFORE,
    CLAUSE_END,
    LOWER_AFTER,
    LOWER_BEFORE,
    NEGATION,
    NUM_BEFORE,
    OTHER_DATED,
    PAIN_FREE,
    PAIN_FREE_AFTER,
    PART_OF_WINDOW,
    RANGE,
    SHORT_UNITS,
    UPPER_AFTER,
    UPPER_BEFORE,
    WINDOW_BEFORE,
    WITHIN,
)
from auditor.extract.population.scan import Scan
from auditor.extract.text import evidence, number, unit_of, weeks
from auditor.extract.timeframes.foreign import unit_words
from auditor.facts import Evidence
from auditor.model import Text


class Qty(NamedTuple):
    """A duration in the eligibility text: its span, its length in weeks and its unit."""
    start: int
    end: int
    weeks: float
    unit: str


class Bound(NamedTuple):
    """A floor on the pain's duration read from the eligibility (0: only an upper bound was stated)."""
    weeks: float
    start: int
    end: int
    note: str


def stated_floor(text: Text) -> tuple[bool, list[Evidence]] | None:
    """Whether the duration the criteria state for the pain is >= 12 weeks (the Task Force
    definition, or the highest floor: every floor is required), with its quote; None when they
    state none."""
    scan = Scan(text.value)
    return _floor(scan, text, *_inclusion(scan))


def _inclusion(scan: Scan) -> tuple[int, int]:
    end = len(scan.text)
    cut = scan.search("exclusion", 0, end)
    return (cut.start() if cut else end), end


def _floor(scan: Scan, text: Text, inclusion_end: int, end: int) -> tuple[bool, list[Evidence]] | None:
    if m := scan.search("task_force", 0, inclusion_end):
        return True, [evidence(text, m.start(), m.end(), "NIH Task Force definition of chronic LBP: >= 3 months")]
    bounds = _bounds(scan, 0, inclusion_end, exclusion=False) + _bounds(scan, inclusion_end, end, exclusion=True)
    if bounds:
        best = max(bounds, key=lambda b: b.weeks)  # every floor is required: the highest binds
        return best.weeks >= 12, [evidence(text, best.start, best.end, best.note)]
    return None


def from_eligibility(text: Text) -> tuple[bool | None, list[Evidence]]:
    scan = Scan(text.value)
    inclusion_end, end = _inclusion(scan)
    if (floor := _floor(scan, text, inclusion_end, end)) is not None:
        return floor
    if m := scan.search("any_duration", 0, inclusion_end):
        return False, [evidence(text, m.start(), m.end(), "pain of any duration is eligible")]
    for m in scan.finditer("acute", 0, inclusion_end):
        if not negated(scan.text, m.start(), m.end()):  # "do not have any other acute disease"
            return False, [evidence(text, m.start(), m.end(), "acute pain is eligible: chronicity not required")]
    if m := scan.search("chronic", 0, inclusion_end):
        return None, [evidence(text, m.start(), m.end(), "chronic (persistent) pain required but no duration stated")]
    if (unread := _unread_duration(scan, end)) is not None:
        return None, [evidence(text, *unread, "a duration in another language's words (rules/other_languages.yaml): "
                                              "the rules cannot read whether it is the pain's, so no requirement "
                                              "is not settled")]
    return False, [evidence(text, 0, min(end, 160), "eligibility sets no pain-duration requirement")]


def _unread_duration(scan: Scan, end: int) -> tuple[int, int] | None:
    """The span of the first duration written with another language's unit word ("i mindst 3
    måneder", "seit mindestens drei Monaten": its number may be a word of that language too) that
    the English rules do not place elsewhere (an age, an MRI: an `other_dated` word before it in
    its clause): a duration the criteria state and the rules cannot read, so its absence is not
    "no requirement"."""
    for start, stop in unit_words(scan.text[:end]):
        lo, _ = _clause(scan.text, start, stop)
        if scan.search("other_dated", lo, start) is None:
            return start, stop
    return None


def _bounds(scan: Scan, start: int, end: int, exclusion: bool) -> list[Bound]:
    """Floors on the pain's duration stated in the inclusion or exclusion criteria [start, end)."""
    out: list[Bound] = []
    for qty in _quantities(scan, start, end):
        if (bound := _bound(scan, qty, exclusion)) is not None:
            out.append(bound)
    return out


def _quantities(scan: Scan, start: int, end: int) -> list[Qty]:
    """Every "{num} {unit}" of days or longer in [start, end).

    Found from the unit words, then the number just before each: a number pattern run over the
    whole text would try ~150 number words at every word start."""
    out: list[Qty] = []
    for u in scan.finditer("unit", start, end):
        unit = unit_of(u.group())
        if unit in SHORT_UNITS:
            continue
        if n := NUM_BEFORE.search(scan.text, max(start, u.start() - 24), u.start()):
            out.append(Qty(n.start(), u.end(), weeks(number(n.group("n")), unit), unit))
    return out


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around text[start:end]: up to the nearest sentence or list punctuation (a decimal
    point "1.5" is none)."""
    lo = max(text.rfind(";", 0, start), text.rfind("\n", 0, start))
    dot = text.rfind(".", 0, start)
    while dot > lo and dot + 1 < len(text) and text[dot + 1].isdigit():
        dot = text.rfind(".", 0, dot)
    hi = CLAUSE_END.search(text, end)
    return max(lo, dot) + 1, hi.start() if hi else len(text)


def _bound(scan: Scan, m: Qty, exclusion: bool) -> Bound | None:
    """The floor the duration `m` sets on the pain, or None when it is not the pain's duration."""
    w = m.weeks
    lo, hi = _clause(scan.text, m.start, m.end)
    before, after = scan.text[lo:m.start], scan.text[m.end:hi]
    if not _anchored(scan, lo, hi, m, after):
        return None
    tail = before[-30:]
    if WINDOW_BEFORE.search(tail):
        if (part := PART_OF_WINDOW.search(tail)) and not exclusion:
            # "pain for at least 3 of the last 6 months": the part is the floor.
            part_w = weeks(number(part.group("part")), m.unit)
            return Bound(part_w, m.start - len(tail) + part.start(), m.end, f"required duration {part_w:g} weeks "
                                                                             f"of the last {w:g} ({'>=' if part_w >= 12 else '<'} 12)")
        return None  # "an NRS of 5 or higher during the preceding 3 days": a counting window
    if PAIN_FREE_AFTER.match(after) or PAIN_FREE.search(tail):
        return None  # "preceded by at least 6 months without low back pain": a pain-free period
    if rng := RANGE.search(tail):
        # "symptoms 6 weeks to 6 months": the lower end is the floor.
        lo_unit = unit_of(rng.group("lu")) if rng.group("lu") else m.unit
        lo_w = weeks(number(rng.group("lo")), lo_unit)
        return None if exclusion else Bound(lo_w, m.start - len(tail) + rng.start(), m.end, f"range from {lo_w:g} weeks")
    upper = bool(UPPER_BEFORE.search(tail) or UPPER_AFTER.match(after)) and not LOWER_AFTER.match(after)
    if exclusion:
        if upper and not WITHIN.search(tail):
            # "Exclusion: symptoms less than 6 weeks": pain must have lasted at least that long.
            return Bound(w, lo, m.end, f"excluded when shorter than {w:g} weeks -> requires >= {w:g} weeks")
        if not upper and NEGATION.search(before) and LOWER_BEFORE.search(tail):
            # "Exclusion: have not received at least 3 months of conservative treatment".
            return Bound(w, lo, m.end, f"excluded without {w:g} weeks -> requires >= {w:g} weeks")
        return None
    if upper:
        return Bound(0.0, lo, m.end, f"pain of at most {w:g} weeks is eligible: chronicity not required")
    return Bound(w, lo, m.end, f"required duration {w:g} weeks ({'>=' if w >= 12 else '<'} 12)")


def _anchored(scan: Scan, lo: int, hi: int, m: Qty, after: str) -> bool:
    """The duration belongs to the pain or to the (failed) conservative care for it: the nearest
    anchor word before it in its clause with no other dated thing between them, or an anchor just
    after it ("6 weeks of conservative care"). A parenthesis between the anchor and the duration is
    an aside ("failed conservative treatment (physical therapy, medications, injections) for a
    minimum period of 3 months"): looked past, its words neither anchor nor detach the duration."""
    failure = scan.search("failure", lo, hi) is not None
    if _anchor_before(scan, lo, m.start, m.start, failure):
        return True
    if CHRONIC_BRACKET_BEFORE.search(scan.text, lo, m.start) and CHRONIC_BRACKET_AFTER.match(after):
        return True  # "chronic (>= 3 months) low back pain": the bracket defines the chronic pain
    group = _aside(scan.text, lo, m.start)
    if group is not None and _anchor_before(scan, lo, group[0], m.start, failure, skip=group):
        return True
    a2 = AFTER_ANCHOR.match(after)
    if a2 is None or (a2.group("generic") is not None and not failure):
        return False
    return not OTHER_DATED.search(after, 0, a2.start("care") if a2.group("care") else a2.end())


def _anchor_before(scan: Scan, lo: int, stop: int, end: int, failure: bool,
                   skip: tuple[int, int] | None = None) -> bool:
    """The nearest anchor in the 120 characters of the clause before `stop` has no other dated
    thing between it and `end` (outside the `skip` span)."""
    last: re.Match[str] | None = None
    for a in scan.finditer("anchor", max(lo, stop - 120), stop):
        if a.group("generic") is None or failure:  # "therapy" is care only in a clause about failure
            last = a
    if last is None:
        return False
    if skip is None:
        return scan.search("other_dated", last.end(), end) is None
    return (scan.search("other_dated", last.end(), skip[0]) is None
            and scan.search("other_dated", skip[1], end) is None)


_ASIDE_REACH = 60  # a parenthesis closed at most this far before the duration ("...) for a period of at least")


def _aside(text: str, lo: int, start: int) -> tuple[int, int] | None:
    """The span of a parenthesis, inside the clause, that closes shortly before `start`."""
    close = text.rfind(")", max(lo, start - _ASIDE_REACH), start)
    if close < 0:
        return None
    open_ = text.rfind("(", lo, close)
    if open_ < 0 or text.find(")", open_ + 1, close) >= 0:  # not one simple parenthesis
        return None
    return open_, close + 1
