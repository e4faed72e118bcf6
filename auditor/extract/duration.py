"""Treatment duration (weeks) of the longest active treatment period.

Sources, in order of trust:
1. protocol files: arms[].duration_weeks (structured, stated by the trialist);
2. arm and intervention descriptions: "twice a week for 6 weeks", "a 12-week program",
   "8 weekly sessions", "10 sessions over a two week period", "single injection" (0), surgery (0);
3. the brief summary / detailed description, only where the sentence is about the treatment
   (so "patients will be followed for 12 months" is not a treatment duration);
4. a time frame that dates the end of treatment ("Post-treatment (8 weeks from baseline)",
   "Week 8 (End of Treatment)").
Nothing stated -> None. A one-off procedure, injection or single session is 0 weeks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.extract.text import NUM, evidence, number, unit_of, weeks
from auditor.facts import Evidence
from auditor.model import Text, TrialRecord

_UNIT = r"(?:days?|weeks?|wks?|months?|mos?|years?)"
_TREAT_NOUN = (r"(?:program(?:me)?|intervention|treatment|course|protocol|training|therapy|regimen|plan|phase|"
               r"curriculum|class(?:es)?|exercises?|sessions?|period|cycle|block|package|module|trial period|"
               r"rehabilitation|rehab|coaching|instruction|schedule|use|app)")
_QTY = rf"(?P<n>{NUM})(?:\s*(?:to|-|–|or)\s*(?P<n2>{NUM}))?\s*-?\s*(?P<u>{_UNIT})\b"

_FOR = re.compile(
    rf"\b(?:for|over|during|lasting|across|spanning|throughout|within|in)\s+(?:a\s+(?:total\s+)?(?:period|duration|"
    rf"course|span|time)\s+of\s+|the\s+(?:course|period|span)\s+of\s+|a\s+total\s+of\s+|(?:approximately|about|"
    rf"around|roughly|up\s+to|at\s+least)\s+|the\s+(?:next|first|following)\s+)?{_QTY}", re.I)
_LONG = re.compile(rf"{_QTY}\s*-?\s*(?:long\s+)?(?:[\w-]+\s+){{0,3}}?{_TREAT_NOUN}\b", re.I)
_OF = re.compile(rf"{_QTY}\s+of\s+(?:[\w-]+\s+){{0,2}}?{_TREAT_NOUN}\b", re.I)
_WEEKLY = re.compile(rf"\b(?P<n>{NUM})\s+(?:[\w-]+\s+){{0,2}}?weekly\s+(?:[\w-]+\s+){{0,2}}?(?:sessions?|visits?|"
                     rf"classes|meetings|treatments?|appointments?|modules?|lessons?)\b", re.I)
_SESSIONS = re.compile(rf"\b(?P<n>{NUM})\s+(?:[\w-]+\s+){{0,2}}?(?:sessions?|treatments?|visits?|classes|"
                       rf"appointments?|lessons?)\b", re.I)
_FREQ = re.compile(rf"\b(?:(?P<f>{NUM}|once|twice|thrice)\s*(?:times?|x|sessions?)?\s*(?:a|per|/|each|every)\s*"
                   rf"week|weekly)\b", re.I)
_SINGLE = re.compile(r"\b(?:a\s+)?(?:single|one[\s-]time|one[\s-]off|once[\s-]only|1|one)\s+(?:[\w-]+\s+){0,2}?"
                     r"(?:injection|dose|session|infusion|application|procedure|block|surgery|operation|"
                     r"administration|implantation|treatment session|visit|intervention session)s?\b", re.I)
_SURGERY = re.compile(r"\b(?:surgery|surgical|discectomy|microdiscectomy|laminectomy|laminotomy|fusion|"
                      r"arthroplasty|foraminotomy|decompression|sequestrectomy|nucleoplasty|implantation|"
                      r"implant|neurotomy|ablation|vertebroplasty|kyphoplasty|operation|operative|endoscopic)\b", re.I)
# Context that makes "for 12 months" something other than treatment (follow-up, eligibility, history).
_NOT_TREATMENT = re.compile(r"(?:follow|assess|evaluat|measur|monitor|observ|record|recruit|enrol|pain\b|symptom|"
                            r"history|persist|lasting|duration of|at least|question|diary|recall|abstain|stable|"
                            r"wash|prior|previous|past|last|analy|data|collect|contact|visit|study will|study period|"
                            r"retain|stay|remain|sick|absence|work|after|post|until|before|later|since|age|old)", re.I)
_AFTER_NOT = re.compile(r"^\W*(?:prior|before|after|post|follow|of (?:follow|pain|symptom|sick|age)|old|of age|"
                        r"ago|since)", re.I)
_TREATMENT_CONTEXT = re.compile(r"(?:treat|therap|intervention|program|session|training|exercis|class|use|app\b|"
                                r"receive|deliver|practi|course|dose|daily|per week|a week|weekly|times|attend|"
                                r"complete|participat)", re.I)
_ARM_INACTIVE = re.compile(r"NO_INTERVENTION", re.I)


@dataclass(frozen=True)
class Duration:
    weeks: float
    evidence: Evidence


def derive(record: TrialRecord) -> Duration | None:
    stated = [a.duration_weeks for a in record.arms if a.duration_weeks is not None]
    if stated:
        best = max(stated, key=lambda n: n.value)
        return Duration(best.value, Evidence.of(best, note=f"protocol arm duration = {best.value:g} weeks"))
    found = _from_texts(_active_texts(record), narrative=False)
    if found is None:
        texts = [t for t in (record.summary, record.description, record.design.description) if t is not None]
        found = _from_texts(texts, narrative=True)
    return found


def _active_texts(record: TrialRecord) -> list[Text]:
    out: list[Text] = []
    for arm in record.arms:
        if arm.type is not None and _ARM_INACTIVE.search(arm.type.value):
            continue
        out += [t for t in (arm.description,) if t is not None] + list(arm.components)
    for iv in record.interventions:
        out += [t for t in (iv.description, iv.name) if t is not None]
    return out


def _from_texts(texts: list[Text], narrative: bool) -> Duration | None:
    best: Duration | None = None
    single: Duration | None = None
    for text in texts:
        for cand in _candidates(text, narrative):
            if cand.weeks == 0:
                single = single or cand
            elif best is None or cand.weeks > best.weeks:
                best = cand
    return best or single


def _candidates(text: Text, narrative: bool):
    value = text.value
    for pattern in (_FOR, _LONG, _OF):
        for m in pattern.finditer(value):
            # The last six words before the quantity decide its context.
            before = " ".join(value[max(0, m.start() - 60):m.start()].split()[-6:])
            if _NOT_TREATMENT.search(before) or _AFTER_NOT.match(value[m.end():m.end() + 25]):
                continue
            if narrative and pattern is _FOR and not _TREATMENT_CONTEXT.search(value[max(0, m.start() - 80):m.end() + 40]):
                continue
            n = number(m.group("n2") or m.group("n"))
            unit = unit_of(m.group("u"))
            if unit == "year" and n > 3:  # "for 10 years" in a description is history, not a course
                continue
            w = weeks(n, unit)
            yield Duration(w, evidence(text, m.start(), m.end(), f"treatment period '{m.group().strip()}' = {w:g} weeks"))
    for m in _WEEKLY.finditer(value):
        n = number(m.group("n"))
        if 1 < n <= 52:
            yield Duration(n, evidence(text, m.start(), m.end(), f"{n:g} weekly sessions = {n:g} weeks"))
    freq = _FREQ.search(value)
    if freq:
        f = _freq(freq.group("f"))
        for m in _SESSIONS.finditer(value):
            n = number(m.group("n"))
            if f and n > f and n <= 100 and not _SINGLE.match(m.group()):
                w = round(n / f, 2)
                yield Duration(w, evidence(text, min(m.start(), freq.start()), max(m.end(), freq.end()),
                                           f"{n:g} sessions at {f:g} per week = {w:g} weeks"))
    if not narrative:
        m = _SINGLE.search(value)
        if m and not re.search(r"\b(?:per|a|each)\s+(?:day|week)|daily|weekly", value, re.I):
            yield Duration(0.0, evidence(text, m.start(), m.end(), "one-off treatment = 0 weeks"))
        elif m is None:
            s = _SURGERY.search(value)
            if s and not _FOR.search(value):
                yield Duration(0.0, evidence(text, s.start(), s.end(), "surgery/procedure: one-off, 0 weeks"))


def _freq(token: str | None) -> float | None:
    if token is None:
        return 1.0
    token = token.lower()
    if token in ("once",):
        return 1.0
    if token == "twice":
        return 2.0
    if token == "thrice":
        return 3.0
    try:
        return number(token)
    except (KeyError, ValueError):
        return None
