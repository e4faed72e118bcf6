"""Treatment duration (weeks) of the longest active treatment period.

Sources, in order of trust:
1. protocol files: arms[].duration_weeks (structured, stated by the trialist);
2. arm and intervention descriptions: a stated period ("twice a week for 6 weeks", "a 12-week
   program", "10 sessions over a two week period"), then a span ("from Day 1 up to Week 6"), then
   session arithmetic ("8 weekly sessions", "12 sessions, twice a week");
3. a time frame that dates the end of treatment ("Post-treatment (8 weeks from baseline)",
   "Week 8 (End of Treatment)");
4. the brief summary / detailed description, only where the sentence is about the treatment
   (so "patients will be followed for 12 months" is not a treatment duration);
5. 0 weeks when every active arm is a one-off procedure / injection / single session ("single
   intradiscal injection", "lumbar microdiscectomy"), or the summary states a single dose.
The longest period across arms wins. Nothing stated -> None: a surgery arm (0) against a
course of unstated length is None, not 0.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from auditor.extract import timeframes
from auditor.extract.text import Guarded, compile_fast, NUM, belongs, evidence, lowered, number, unit_of, weeks
from auditor.facts import Evidence, FactSheet
from auditor.model import Text, TrialRecord

_UNIT = r"(?:days?|weeks?|wks?|months?|mos?|years?)"
_TREAT_NOUN = (r"(?:program(?:me)?|intervention|treatment|course|protocol|training|therapy|regimen|plan|phase|"
               r"curriculum|class(?:es)?|exercises?|sessions?|period|cycle|block|package|module|trial period|"
               r"rehabilitation|rehab|coaching|instruction|schedule|use|app)")
_QTY = rf"(?P<n>{NUM})(?:\s*(?:to|-|–|or)\s*(?P<n2>{NUM}))?\s*-?\s*(?P<u>{_UNIT})\b"

_FOR = compile_fast(
    rf"\b(?:for|over|during|lasting|across|spanning|throughout|in)\s+(?:a\s+(?:total\s+)?(?:period|duration|"
    rf"course|span|time)\s+of\s+|the\s+(?:course|period|span)\s+of\s+|a\s+total\s+of\s+|(?:approximately|about|"
    rf"around|roughly|up\s+to)\s+|the\s+(?:next|first|following)\s+)?{_QTY}", re.I)
# "from Day 1 up to Week 6", "from week 1 to week 15": the course ends at the second time.
_SPAN = Guarded(compile_fast(r"\bfrom\s+(?:day|week|month)\s+\d+\s+(?:to|until|through|up\s+to|-)\s+"
                             r"(?P<u>day|week|month)\s+(?P<n>\d+)\b", re.I), r"from\s+(?:day|week|month)")
# "From Week 7 up to Week 10 participants continued using the app with optional lessons": an extension.
_EXTENSION = compile_fast(r"continu|optional|extension|maintenance|follow-?up|booster", re.I)
# Up to three words between the length and the noun ("12-week supervised exercise program"), but not
# words that start a new phrase ("12 months after a 6-week program").
_FILLER = r"(?:(?!(?:after|before|following|post|of|follow|then|and|or|plus|to|at|in|from|with)\b)[a-z][\w-]*\s+)"
# Patterns that start with a number run on lowered() text without re.I (3x faster, same spans).
_LONG = compile_fast(rf"{_QTY}\s*-?\s*(?:long\s+)?{_FILLER}{{0,3}}?{_TREAT_NOUN}\b")
_OF = compile_fast(rf"{_QTY}\s+of\s+(?:[\w-]+\s+){{0,2}}?{_TREAT_NOUN}\b")
_WEEKLY = compile_fast(rf"\b(?P<n>{NUM})\s+(?:[\w-]+\s+){{0,2}}?weekly\s+(?:[\w-]+\s+){{0,2}}?(?:sessions?|visits?|"
                     rf"classes|meetings|treatments?|appointments?|modules?|lessons?)\b")
_SESSIONS = compile_fast(rf"\b(?P<n>{NUM})\s+(?:[\w-]+\s+){{0,2}}?(?:sessions?|treatments?|visits?|classes|"
                       rf"appointments?|lessons?)\b")
_FREQ = compile_fast(rf"\b(?:(?P<f>{NUM}|once|twice|thrice)\s*(?:times?|x|sessions?)?\s*(?:(?:a|per|/|each|every)\s*"
                   rf"week|weekly)|weekly)\b")
_SINGLE = compile_fast(r"\b(?:a\s+)?(?:single|one[\s-]time|one[\s-]off|once[\s-]only|1|one)\s+(?:[\w-]+\s+){0,2}?"
                     r"(?:injection|dose|session|infusion|application|procedure|block|surgery|operation|"
                     r"administration|implantation|treatment session|visit|intervention session)s?\b", re.I)
# Context that makes "for 12 months" something other than treatment (follow-up, eligibility, history).
_NOT_TREATMENT = compile_fast(r"\b(?:follow(?!ed\s+by)|assess|evaluat|measur|monitor|observ|record|recruit|enrol|pain\b|symptom|"
                            r"unresponsive|refractory|failed|despite|chronic|avoid|restrict|no\b|not\b|lifting|"
                            r"every|then\b|"
                            r"history|persist|lasting|duration of|at least|question|diary|recall|abstain|stable|"
                            r"wash|prior|previous|past|last|analy|data|collect|contact|visit|study will|study period|"
                            r"retain|stay|remain|sick|absence|work\b|after\b|post\b|until|before|later|since|age\b|"
                            r"old\b)", re.I)
_NOT_COURSE_NOUN = compile_fast(r"follow|observ|wash|run-?in|screen|recall|baseline|assessment|evaluation|safety|study|"
                              r"waiting|lead-?in|stabili[sz]ation period", re.I)
_NOT_COURSE_CONTEXT = compile_fast(r"\b(?:enrol|recruit|follow|assess|screen|observ)", re.I)
# "after 8 weeks of treatment", "at least 6 months of conservative care": a time point or a history.
_NOT_COURSE = compile_fast(r"\b(?:after|least|minimum|prior|previous|past|last|following|followed|follow-up|post|"
                         r"within|since|before)\b", re.I)
_AFTER_NOT = compile_fast(r"^\W*(?:prior|before|after|post|follow|of (?:follow|pain|symptom|sick|age)|old|of age|"
                        r"ago|since)", re.I)
_TREATMENT_CONTEXT = compile_fast(r"(?:treat|therap|intervention|program|session|training|exercis|class|use|app\b|"
                                r"receive|deliver|practi|course|dose|daily|per week|a week|weekly|times|attend|"
                                r"complete|participat)", re.I)


_ONE_OFF = compile_fast(r"\b(?:inject|implant|(?<!non-)(?<!non)surg|operat|procedure|discectomy|microdiscectomy|"
                      r"diskectomy|laminectomy|laminotomy|laminoplasty|foraminotomy|fusion|arthroplasty|sequestrectomy|"
                      r"nucleoplasty|neurotomy|rhizotomy|ablation|neuroplasty|vertebroplasty|kyphoplasty|infusion|"
                      r"nerve\s+block|transplant|disc\s+replacement|prosthes[ie]s|bone\s+graft|interbody\s+cage|"
                      r"ACDF|TLIF|PLIF|ALIF|OLIF|XLIF)", re.I)
_REPEATED = compile_fast(r"\b(?:daily|weekly|monthly|every|twice|repeated|series|cycles|regimen|q\d*[dw]|qd|bid|tid|"
                       r"loading\s+dose|doses|from\s+(?:day|week)\s+\d+\s+(?:to|until|through)|per\s+(?:day|week|month)|"
                       r"a\s+(?:day|week)|(?:for|over|during)\s+\d|program(?:me)?|sessions|(?:\d+|two|three|four|"
                       r"five|six|several)\s+times|times\s+(?:a|per))\b", re.I)
# Treatments that are courses, not one-off events, even when a procedure is named beside them.
_COURSE_KIND = compile_fast(r"\b(?:manipulation|physiotherap|physical\s+therap|exercis|rehabilitation|training|"
                          r"chiropract|education|counsel|non-?surgical|non-?operative|conservative|medication|"
                          r"tablets?|capsules?|oral|app\b|cognitive|behavio)", re.I)
# "initiated 2 weeks following surgery": the procedure is context, not the arm's treatment.
_CONTEXT_BEFORE = compile_fast(r"\b(?:after|following|post|before|prior\s+to|since|from)\s+(?:the\s+)?$", re.I)
_NARRATIVE_SINGLE = Guarded(compile_fast(
    r"\b(?:single|one[\s-]time|one[\s-]off|once[\s-]only)\s+(?:[\w-]+\s+){0,2}?(?:injections?|doses?|infusions?|"
    r"administrations?|procedures?|implantations?|surgery|operations?|treatments?)\b", re.I),
    "single", r"one[\s-]time", r"one[\s-]off", r"once[\s-]only")
_CONTROL = compile_fast(r"PLACEBO|SHAM|NO_INTERVENTION", re.I)
_CONTROL_LABEL = compile_fast(r"\b(?:usual\s+care|treatment\s+as\s+usual|wait[\s-]?list|no\s+(?:treatment|"
                            r"intervention|exercise)|control)\b", re.I)


@dataclass(frozen=True)
class Duration:
    weeks: float
    evidence: Evidence


def derive(record: TrialRecord) -> Duration | None:
    """The longest active treatment period; see the module docstring for the order of sources."""
    stated = [a.duration_weeks for a in record.arms if a.duration_weeks is not None]
    if stated:
        best = max(stated, key=lambda n: n.value)
        return Duration(best.value, Evidence.of(best, note=f"protocol arm duration = {best.value:g} weeks"))
    arms = _arm_groups(record)
    # A stated period ("for 12 weeks") beats one computed from a session count and frequency.
    arm_texts = [t for _, texts in arms for t in texts]
    finders: tuple[Callable[[str], tuple[Candidate, ...]], ...] = (_candidates, _span_candidates, _session_candidates)
    for source in finders:
        if found := _longest(arm_texts, source):
            return found
    dated = _from_time_frames(record)
    if dated is not None:
        return dated
    narrative = [t for t in (record.summary, record.description, record.design.description) if t is not None]
    for source in (_narrative_candidates, *finders[1:]):
        if found := _longest(narrative, source):
            return found
    # Every active arm is a one-off procedure / injection / single session -> 0 weeks.
    one_off: list[Duration] = []
    for control, texts in arms:
        found = _one_off(texts)
        if found is not None:
            one_off.append(found)
        elif not control:
            one_off = []
            break
    if one_off:
        return one_off[0]
    for text in narrative:
        if m := _NARRATIVE_SINGLE.search(text.value):
            return Duration(0.0, evidence(text, m.start(), m.end(), "single administration = 0 weeks"))
    return None


# A candidate before its Evidence: (weeks, start, end, note). The candidate finders are pure functions
# of the text (cached: arm and intervention texts repeat across arms); Evidence is built only for the
# candidate that wins.
Candidate = tuple[float, int, int, str]


def _longest(texts: list[Text], source) -> Duration | None:
    """The longest positive candidate over `texts` (the first one on ties), with its evidence."""
    best: tuple[Text, Candidate] | None = None
    for t in texts:
        for c in source(t.value):
            if c[0] > 0 and (best is None or c[0] > best[1][0]):
                best = (t, c)
    if best is None:
        return None
    text, (w, start, end, note) = best
    return Duration(w, evidence(text, start, end, note))


def _arm_groups(record: TrialRecord) -> list[tuple[bool, list[Text]]]:
    """(is a control arm, texts) per arm with its interventions; interventions alone when no arms."""
    groups: list[tuple[bool, list[Text]]] = []
    for arm in record.arms:
        if arm.type is not None and arm.type.value.upper() == "NO_INTERVENTION":
            continue
        control = bool((arm.type is not None and _CONTROL.search(arm.type.value))
                       or (arm.label is not None and _CONTROL_LABEL.search(arm.label.value)))
        texts = [t for t in (arm.description,) if t is not None] + list(arm.components)
        for iv in record.interventions:
            if belongs(iv, arm):
                texts += [t for t in (iv.description, iv.name) if t is not None]
        groups.append((control, texts))
    if not record.arms:
        for iv in record.interventions:
            groups.append((False, [t for t in (iv.description, iv.name) if t is not None]))
    return groups


def _one_off(texts: list[Text]) -> Duration | None:
    if any(_REPEATED.search(t.value) or _COURSE_KIND.search(t.value) for t in texts):
        return None
    for text in texts:
        if m := _SINGLE.search(text.value):
            return Duration(0.0, evidence(text, m.start(), m.end(), "one-off treatment = 0 weeks"))
    for text in texts:
        for m in _ONE_OFF.finditer(text.value):
            if not _CONTEXT_BEFORE.search(text.value[max(0, m.start() - 20):m.start()]):
                return Duration(0.0, evidence(text, m.start(), m.end(), "one-off procedure/injection = 0 weeks"))
    return None


def _from_time_frames(record: TrialRecord) -> Duration | None:
    best: tuple[float, Text, timeframes.TimePoint] | None = None
    for o in record.outcomes:
        if o.time_frame is not None and (p := timeframes.end_of_treatment_at(o.time_frame.value)):
            if best is None or p.weeks > best[0]:
                best = (p.weeks, o.time_frame, p)
    if best is None:
        return None
    w, tf, p = best
    return Duration(w, evidence(tf, p.start, p.end, f"time frame dates the end of treatment at {w:g} weeks"))


# Every course pattern (_LONG, _OF, _FOR) ends in a unit word; most texts have none, so one quick
# search for the unit skips the three number-led patterns (same case rules as _FOR: the superset).
_UNIT_HINT = compile_fast(rf"{_UNIT}\b", re.I)
# Words _SESSIONS needs (it runs case-sensitively on lowered text, so finding none rules it out).
_SESSION_HINT = re.compile("session|treatment|visit|classes|appointment|lesson")


def _narrative_candidates(value: str) -> tuple[Candidate, ...]:
    return _candidates(value, narrative=True)


def _sentences_with(low: str, hint: re.Pattern[str]) -> list[tuple[int, int]]:
    """[start, end) of the stretches between ". " that contain a match of `hint`.

    The number-led patterns (_LONG, _OF, _FOR, _SESSIONS) never match across ". " (their only "."
    is a decimal point between digits) and every match contains a `hint` match (a unit word, a
    session word), so scanning these stretches (pos/endpos: look-behinds still see the text
    before) finds the same matches as scanning a whole description."""
    if len(low) < 400:  # short texts: one scan is cheaper than finding sentences
        return [(0, len(low))] if hint.search(low) else []
    spans: list[tuple[int, int]] = []
    pos = 0
    while m := hint.search(low, pos):  # one search per sentence with a mark, then on past its end
        stop = low.find(". ", m.start())
        end = len(low) if stop < 0 else stop
        spans.append((low.rfind(". ", 0, m.start()) + 1, end))  # rfind: -1 when none, so 0
        pos = end
    return spans


@lru_cache(maxsize=8192)
def _candidates(value: str, narrative: bool = False) -> tuple[Candidate, ...]:
    low = lowered(value)
    spans = _sentences_with(low, _UNIT_HINT)
    if not spans:
        return ()
    out: list[Candidate] = []
    seen: set[int] = set()
    for pattern in (_LONG, _OF, _FOR):
        for m in (m for start, end in spans for m in pattern.finditer(low, start, end)):
            if m.start("n") in seen:
                continue
            # The last words before the quantity decide its context: "followed for 12 months" is
            # follow-up, "after 8 weeks of treatment" is a time point, not a course length.
            words = value[max(0, m.start() - 60):m.start()].split()
            if pattern is _FOR:
                if _NOT_TREATMENT.search(" ".join(words[-6:])) or _AFTER_NOT.match(value[m.end():m.end() + 25]):
                    continue
                if narrative and not _TREATMENT_CONTEXT.search(value[max(0, m.start() - 80):m.end() + 40]):
                    continue
            elif _NOT_COURSE.search(" ".join(words[-1:])) or _AFTER_NOT.match(value[m.end():m.end() + 25]) \
                    or _NOT_COURSE_NOUN.search(value, m.start(), m.end()) or _NOT_COURSE_CONTEXT.search(_clause_tail(value, m.start())):
                continue
            n = number(m.group("n2") or m.group("n"))
            unit = unit_of(m.group("u"))
            if unit == "year" and n > 3:  # "for 10 years" in a description is history, not a course
                continue
            seen.add(m.start("n"))
            w = weeks(n, unit)
            said = value[m.start():m.end()].strip()
            out.append((w, m.start(), m.end(), f"treatment period '{said}' = {w:g} weeks"))
    return tuple(out)


@lru_cache(maxsize=8192)
def _span_candidates(value: str) -> tuple[Candidate, ...]:
    """"from Day 1 up to Week 6": weaker than a stated period (the text may go on to an extension)."""
    out: list[Candidate] = []
    for m in _SPAN.finditer(value):
        before = " ".join(value[max(0, m.start() - 60):m.start()].split()[-6:])
        if _NOT_TREATMENT.search(before) or _EXTENSION.search(value, m.end(), m.end() + 80):
            continue
        w = weeks(float(m.group("n")), unit_of(m.group("u")))
        out.append((w, m.start(), m.end(), f"treatment given '{m.group()}' = {w:g} weeks"))
    return tuple(out)


def _clause_tail(value: str, start: int) -> str:
    """The last three words before `start` within the same clause (stops at , ; . :)."""
    head = value[max(0, start - 60):start]
    cut = max(head.rfind(c) for c in ",;.:(")
    return " ".join(head[cut + 1:].split()[-3:])


@lru_cache(maxsize=8192)
def _session_candidates(value: str) -> tuple[Candidate, ...]:
    """Lengths computed from a session count: "8 weekly sessions", "12 sessions, twice a week"."""
    low = lowered(value)
    out: list[Candidate] = []
    if "weekly" in low:
        for m in _WEEKLY.finditer(low):
            n = number(m.group("n"))
            if 1 < n <= 52:
                out.append((n, m.start(), m.end(), f"{n:g} weekly sessions = {n:g} weeks"))
    spans = _sentences_with(low, _SESSION_HINT)
    for m in (m for start, end in spans for m in _SESSIONS.finditer(low, start, end)):
        # The frequency must be stated close to the count, in the same passage.
        window_start = max(0, m.start() - 120)
        freq = _FREQ.search(low, window_start, m.end() + 120)
        if freq is None:
            continue
        f = _freq(freq.group("f"))
        n = number(m.group("n"))
        if f and f < n <= 100 and not _SINGLE.match(m.group()):
            w = round(n / f, 2)
            out.append((w, min(m.start(), freq.start()), max(m.end(), freq.end()),
                        f"{n:g} sessions at {f:g} per week = {w:g} weeks"))
    return tuple(out)


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


WRITES = ("treatment.duration_weeks",)
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    dur = derive(record)
    sheet.set("treatment.duration_weeks", dur.weeks if dur else None, dur.evidence if dur else None)
