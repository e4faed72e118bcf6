"""Population facts: is the trial about back pain, and does eligibility require >= 12 weeks of it.

The vocabularies and phrase rules are data: `rules/eligibility.yaml` (docs/rules/eligibility.md).

chronic_lbp_12w (labels README): only for back-pain trials with eligibility criteria.
- protocol `min_pain_duration_weeks` wins;
- the NIH Task Force definition of chronic LBP -> true;
- every duration the criteria set for the pain, or for the failed conservative care for it, is a
  floor on how long the pain has lasted; floors are all required, so the largest counts: >= 12
  weeks -> true, below -> false. Inclusion "pain for at least 3 months", "failed 6 months of
  conservative care"; exclusion "symptoms < 3 months" (excluded when shorter = a floor); an upper
  bound only ("back pain for less than 3 months", "onset within 6 months") admits recent pain;
- "any duration" or acute / subacute pain eligible -> false;
- "chronic" pain without a duration -> null (the record does not say how long);
- no pain-duration requirement at all -> false.

The eligibility patterns run case-sensitively on the lower-cased text (text.lowered keeps every
offset), so one Aho-Corasick pass over it finds where each pattern's trigger words (read off the
pattern: prefilter.trigger_words) start, and each pattern is tried only there.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from auditor.extract import rules
from auditor.extract.instruments import negated
from auditor.extract.text import (
    NUM,
    UNIT,
    TriggerIndex,
    compile_fast,
    evidence,
    lowered,
    number,
    trigger_words,
    unit_of,
    weeks,
)
from auditor.facts import Evidence, FactSheet
from auditor.model import Text, TrialRecord

_RULES = rules.load("eligibility")
_BACK: dict[str, Any] = _RULES["back_pain"]


def _alt(name: str, data: dict[str, Any] | None = None) -> str:
    """The phrases of list `name`, in lower case, as one alternation; a hyphen between letters is
    read as a space, which matches a hyphen or whitespace ("non-operative", "non operative")."""
    return rules.alternation([_HYPHEN.sub(" ", w.lower()) for w in (data or _RULES)[name]])


_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")


def _compile(pattern: str, where: str, flags: int = 0) -> re.Pattern[str]:
    """A rule pattern with its {macros}; case-sensitive by default (for the lower-cased text)."""
    expanded = rules.expand(pattern, _MACROS, f"eligibility.yaml {where}")
    try:
        return compile_fast(expanded, flags)
    except re.error as exc:
        raise rules.RuleError(f"eligibility.yaml {where}: bad pattern {pattern!r}: {exc}") from exc


def _any(name: str) -> re.Pattern[str]:
    """One pattern for a list of rule patterns (`task_force`, `acute`, ...)."""
    return _compile("|".join(f"(?:{p})" for p in _RULES[name]), name)


_MACROS: dict[str, str] = {"num": NUM, "unit": UNIT}
_MACROS.update({name: _alt(name) for name in ("pain", "care", "generic_care", "failure")})

# --- about back pain (short texts: conditions, keywords, titles; case-insensitive) ------------
_LBP = _compile(rf"\b(?:{_alt('words', _BACK)}|lumbar(?!\s+{_alt('not_lumbar', _BACK)}))",
                "back_pain.words", re.IGNORECASE)
_SPINE = _compile(rf"\b{_alt('spine_conditions', _BACK)}", "back_pain.spine_conditions", re.IGNORECASE)
_UPPER_SPINE = _compile(rf"\b{_alt('upper_spine', _BACK)}", "back_pain.upper_spine", re.IGNORECASE)
_OTHER_SITE = _compile(rf"\b{_alt('other_sites', _BACK)}\b", "back_pain.other_sites", re.IGNORECASE)

# --- eligibility text (lower-cased) -----------------------------------------------------------
# Searched through the trigger index (_Scan): what they match must start with a literal word.
_INDEXED: dict[str, re.Pattern[str]] = {
    "exclusion": _compile(_alt("exclusion_markers"), "exclusion_markers"),
    "task_force": _any("task_force"),
    "any_duration": _any("any_duration"),
    "acute": _any("acute"),
    "chronic": _any("chronic"),
    # A duration: a unit word (then the number just before it, _NUM_BEFORE).
    "unit": _compile(r"(?<![a-z]){unit}\b", "unit"),
    "anchor": _compile(r"\b(?:(?P<care>{care})|(?P<pain>{pain})|(?P<generic>{generic_care}))\b", "pain/care"),
    "failure": _compile(r"\b{failure}", "failure"),
    "other_dated": _compile(rf"\b{_alt('other_dated')}\b", "other_dated"),
}
_INDEX = TriggerIndex({name: trigger_words(p) for name, p in _INDEXED.items()})
_NUM_BEFORE = _compile(r"(?P<n>{num})\s*-?\s*$", "number")
_SHORT_UNITS = {"minute", "hour"}  # minutes and hours are no pain duration ("sit for 50 minutes")
# What ends a clause: sentence and list punctuation (abbreviation dots are blanked first).
_CLAUSE_END = re.compile(r"[;\n]|\.(?!\d)")
_DOT = re.compile(r"[.\\]")
_ABBREVIATION = re.compile(rf"(?<![a-z]){_alt('abbreviations')}")
_LOWER_BEFORE = _compile(rf"(?:\b{_alt('lower_before')}\s*|{_alt('lower_before_symbols')}\s*)[:=]?\s*$",
                         "lower_before")
_UPPER_BEFORE = _compile(rf"(?:\b{_alt('upper_before')}\s*|{_alt('upper_before_symbols')}\s*)[:=]?\s*$",
                         "upper_before")
_WINDOW_BEFORE = _compile(rf"\b{_alt('window_before')}\s*$", "window_before")
_LOWER_AFTER = _compile(rf"\s*{_alt('lower_after')}\b", "lower_after")
_UPPER_AFTER = _compile(rf"\s*{_alt('upper_after')}\b", "upper_after")
_AFTER_ANCHOR = _compile(rf"[\s)]*(?:{_alt('after_connectors')}\s+(?:[\w-]+\s+){{0,3}}?)?"
                         r"(?:(?P<care>{care})|(?P<pain>{pain})|(?P<generic>{generic_care}))\b", "after_connectors")
_OTHER_DATED = _INDEXED["other_dated"]
_WITHIN = re.compile(r"\bwithin\b")  # "within 30 days": a history window in an exclusion
_NEGATION = _compile(rf"\b{_alt('negations')}\b", "negations")
_RANGE = _compile(_RULES["range_pattern"], "range_pattern")


@dataclass
class Population:
    low_back_pain: bool = False
    lbp_evidence: list[Evidence] = field(default_factory=list)
    chronic_12w: bool | None = None
    chronic_evidence: list[Evidence] = field(default_factory=list)


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


def derive(record: TrialRecord) -> Population:
    result = Population()
    result.low_back_pain, result.lbp_evidence = _about_back_pain(record)
    if record.pain_duration_weeks is not None:
        n = record.pain_duration_weeks
        result.chronic_12w = n.value >= 12
        result.chronic_evidence = [Evidence.of(n, note=f"minimum pain duration {n.value:g} weeks")]
        return result
    if result.low_back_pain and record.eligibility is not None and record.eligibility.value.strip():
        result.chronic_12w, result.chronic_evidence = _from_eligibility(record.eligibility)
    return result


def _about_back_pain(record: TrialRecord) -> tuple[bool, list[Evidence]]:
    titles = [t for t in (record.title, record.official_title) if t is not None]
    texts = [*record.conditions, *record.keywords, *titles]
    hit = _first(_LBP, texts, "about low back pain / lumbar spine")
    if hit is None and not any(_UPPER_SPINE.search(t.value) for t in texts):
        hit = _first(_SPINE, texts, "spine condition, not cervical/thoracic")
    if hit is None:
        return False, []
    source, _ = hit
    # A title about another body site's pain outweighs a stray "Low Back Pain" condition tag.
    if (source not in titles and not any(_LBP.search(t.value) or _SPINE.search(t.value) for t in titles)
            and (other := _first(_OTHER_SITE, titles, "the title names another body site: not a back-pain trial"))):
        return False, [other[1]]
    return True, [hit[1]]


def _first(pattern: re.Pattern[str], texts: list[Text], note: str) -> tuple[Text, Evidence] | None:
    for text in texts:
        if m := pattern.search(text.value):
            return text, evidence(text, m.start(), m.end(), note)
    return None


def _scan_text(value: str) -> str:
    """`value` lower-cased (same length), with abbreviation dots and markdown escapes blanked, so
    that clauses end only at real sentence and list punctuation ("(e.g. NSAIDs) for 6 months").
    Only the few dots are looked at: a pattern run over every character costs more."""
    low = lowered(value)
    out: list[str] | None = None
    for m in _DOT.finditer(low):
        i = m.start()
        if low[i] == "\\" or any(a.start() <= i < a.end() for a in _ABBREVIATION.finditer(low, max(0, i - 7), i + 5)):
            if out is None:
                out = list(low)
            out[i] = " "
    return low if out is None else "".join(out)


class _Scan:
    """The lower-cased eligibility text and where the trigger words of each indexed pattern start."""

    def __init__(self, value: str):
        self.text = _scan_text(value)
        self.starts = _INDEX.starts(self.text) or {}

    def finditer(self, name: str, start: int, end: int) -> Iterator[re.Match[str]]:
        """_INDEXED[name].finditer(text, start, end), tried only where its trigger words start."""
        pattern = _INDEXED[name]
        if name in _INDEX.always:
            yield from pattern.finditer(self.text, start, end)
            return
        at_list = self.starts.get(name, [])
        done = start
        for at in at_list[bisect_left(at_list, start):]:
            if at >= end:
                break
            if at >= done and (m := pattern.match(self.text, at, end)):
                done = max(m.end(), at + 1)
                yield m

    def search(self, name: str, start: int, end: int) -> re.Match[str] | None:
        return next(self.finditer(name, start, end), None)


def _from_eligibility(text: Text) -> tuple[bool | None, list[Evidence]]:
    value = text.value
    scan = _Scan(value)
    end = len(value)
    cut = scan.search("exclusion", 0, end)
    inclusion_end = cut.start() if cut else end
    if m := scan.search("task_force", 0, inclusion_end):
        return True, [evidence(text, m.start(), m.end(), "NIH Task Force definition of chronic LBP: >= 3 months")]
    bounds = _bounds(scan, 0, inclusion_end, exclusion=False) + _bounds(scan, inclusion_end, end, exclusion=True)
    if bounds:
        best = max(bounds, key=lambda b: b.weeks)  # every floor is required: the highest binds
        return best.weeks >= 12, [evidence(text, best.start, best.end, best.note)]
    if m := scan.search("any_duration", 0, inclusion_end):
        return False, [evidence(text, m.start(), m.end(), "pain of any duration is eligible")]
    for m in scan.finditer("acute", 0, inclusion_end):
        if not negated(scan.text, m.start(), m.end()):  # "do not have any other acute disease"
            return False, [evidence(text, m.start(), m.end(), "acute pain is eligible: chronicity not required")]
    if m := scan.search("chronic", 0, inclusion_end):
        return None, [evidence(text, m.start(), m.end(), "chronic pain required but no duration stated")]
    return False, [evidence(text, 0, min(end, 160), "eligibility sets no pain-duration requirement")]


def _bounds(scan: _Scan, start: int, end: int, exclusion: bool) -> list[Bound]:
    """Floors on the pain's duration stated in the inclusion or exclusion criteria [start, end)."""
    out: list[Bound] = []
    for qty in _quantities(scan, start, end):
        if (bound := _bound(scan, qty, exclusion)) is not None:
            out.append(bound)
    return out


def _quantities(scan: _Scan, start: int, end: int) -> list[Qty]:
    """Every "{num} {unit}" of days or longer in [start, end).

    Found from the unit words, then the number just before each: a number pattern run over the
    whole text would try ~150 number words at every word start."""
    out: list[Qty] = []
    for u in scan.finditer("unit", start, end):
        unit = unit_of(u.group())
        if unit in _SHORT_UNITS:
            continue
        if n := _NUM_BEFORE.search(scan.text, max(start, u.start() - 24), u.start()):
            out.append(Qty(n.start(), u.end(), weeks(number(n.group("n")), unit), unit))
    return out


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around text[start:end]: up to the nearest sentence or list punctuation (a decimal
    point "1.5" is none)."""
    lo = max(text.rfind(";", 0, start), text.rfind("\n", 0, start))
    dot = text.rfind(".", 0, start)
    while dot > lo and dot + 1 < len(text) and text[dot + 1].isdigit():
        dot = text.rfind(".", 0, dot)
    hi = _CLAUSE_END.search(text, end)
    return max(lo, dot) + 1, hi.start() if hi else len(text)


def _bound(scan: _Scan, m: Qty, exclusion: bool) -> Bound | None:
    """The floor the duration `m` sets on the pain, or None when it is not the pain's duration."""
    w = m.weeks
    lo, hi = _clause(scan.text, m.start, m.end)
    before, after = scan.text[lo:m.start], scan.text[m.end:hi]
    if not _anchored(scan, lo, hi, m, after):
        return None
    tail = before[-30:]
    if _WINDOW_BEFORE.search(tail):
        return None  # "an NRS of 5 or higher during the preceding 3 days": a counting window
    if rng := _RANGE.search(tail):
        # "symptoms 6 weeks to 6 months": the lower end is the floor.
        lo_unit = unit_of(rng.group("lu")) if rng.group("lu") else m.unit
        lo_w = weeks(number(rng.group("lo")), lo_unit)
        return None if exclusion else Bound(lo_w, m.start - len(tail) + rng.start(), m.end, f"range from {lo_w:g} weeks")
    upper = bool(_UPPER_BEFORE.search(tail) or _UPPER_AFTER.match(after)) and not _LOWER_AFTER.match(after)
    if exclusion:
        if upper and not _WITHIN.search(tail):
            # "Exclusion: symptoms less than 6 weeks": pain must have lasted at least that long.
            return Bound(w, lo, m.end, f"excluded when shorter than {w:g} weeks -> requires >= {w:g} weeks")
        if not upper and _NEGATION.search(before) and _LOWER_BEFORE.search(tail):
            # "Exclusion: have not received at least 3 months of conservative treatment".
            return Bound(w, lo, m.end, f"excluded without {w:g} weeks -> requires >= {w:g} weeks")
        return None
    if upper:
        return Bound(0.0, lo, m.end, f"pain of at most {w:g} weeks is eligible: chronicity not required")
    return Bound(w, lo, m.end, f"required duration {w:g} weeks ({'>=' if w >= 12 else '<'} 12)")


def _anchored(scan: _Scan, lo: int, hi: int, m: Qty, after: str) -> bool:
    """The duration belongs to the pain or to the (failed) conservative care for it: the nearest
    anchor word before it in its clause with no other dated thing between them, or an anchor just
    after it ("6 weeks of conservative care"). A parenthesis between the anchor and the duration is
    an aside ("failed conservative treatment (physical therapy, medications, injections) for a
    minimum period of 3 months"): looked past, its words neither anchor nor detach the duration."""
    failure = scan.search("failure", lo, hi) is not None
    if _anchor_before(scan, lo, m.start, m.start, failure):
        return True
    group = _aside(scan.text, lo, m.start)
    if group is not None and _anchor_before(scan, lo, group[0], m.start, failure, skip=group):
        return True
    a2 = _AFTER_ANCHOR.match(after)
    if a2 is None or (a2.group("generic") is not None and not failure):
        return False
    return not _OTHER_DATED.search(after, 0, a2.start("care") if a2.group("care") else a2.end())


def _anchor_before(scan: _Scan, lo: int, stop: int, end: int, failure: bool,
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


# The extractor contract (auditor/extract/__init__.py): the facts this module writes and reads.
WRITES = ("population.low_back_pain", "population.chronic_lbp_12w")
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    pop = derive(record)
    sheet.set("population.low_back_pain", pop.low_back_pain, pop.lbp_evidence)
    sheet.set("population.chronic_lbp_12w", pop.chronic_12w, pop.chronic_evidence)
