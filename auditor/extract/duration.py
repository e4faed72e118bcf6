"""Treatment duration (weeks) of the longest active treatment period.

Sources, in order of trust:
1. protocol files: arms[].duration_weeks (structured, stated by the trialist);
2. arm and intervention descriptions: a stated period ("twice a week for 6 weeks", "a 12-week
   program", "12 weeks' duration", "remains accessible for 180 days", "(weeks 9-12)"), then a span
   ("from Day 1 up to Week 6"), then session arithmetic ("8 weekly sessions", "12 sessions, twice a
   week", "two treatments spaced 4 weeks apart");
3. a time frame that dates the end of treatment ("Post-treatment (8 weeks from baseline)",
   "Week 8 (End of Treatment)");
4. the brief summary / detailed description, only where the sentence is about the treatment
   (so "patients will be followed for 12 months" is not a treatment duration);
5. 0 weeks when every active arm is a one-off procedure / injection / single session ("single
   intradiscal injection", "lumbar microdiscectomy", "used in the clinical encounter"), or the
   summary states a single dose; else when the arms name nothing one-off, repeated or course-like,
   a one-off procedure the official title names ("... Anterior Cervical Spine Surgery");
6. last, the official title's study length ("A Randomized, Multicenter, 16-week Study") when no
   arm states a period and nothing names a one-off procedure.
A treatment used "for the duration of the study" lasts the stated study length ("a 24-week study").
The longest period across arms wins. Nothing stated -> None: a surgery arm (0) against a
course of unstated length is None, not 0.

The vocabularies and phrase patterns are data: rules/treatment_periods.yaml and rules/one_off.yaml
(see docs/rules/treatment_periods.md); this module holds only how they are applied.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from auditor.extract import rules, timeframes
from auditor.extract.text import (
    NUM,
    UNIT,
    Guarded,
    belongs,
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

_P: dict[str, Any] = rules.load("treatment_periods")
_O: dict[str, Any] = rules.load("one_off")


def _stems(entries: list[str]) -> str:
    """Entries (word beginnings or small regexes) as one alternation matched at a word start."""
    return r"\b(?:" + "|".join(entries) + ")"


def _any(entries: list[str]) -> str:
    return "(?:" + "|".join(entries) + ")"


# Course lengths are a day or longer; shorter units state a session's length ("30 minutes per
# session", "4 hours of exposure"). Both spellings lists come from units.yaml. The two-letter
# abbreviations ("52-wk", "6 mo") are units after a number too; the one-letter ones are not
# ("10 m walk").
_UNITS = rules.load("units")
_DAY = float(_UNITS["units"]["day"]["weeks"])
_SHORT = set(_UNITS["short_tokens"])


# Each text is lowered once per record, though several finders read it (emptied by derive()).
@lru_cache(maxsize=1024)
def _lowered(value: str) -> str:
    """text.lowered(), without its per-character loop for the usual text: when str.lower() keeps
    the length, only the two letters re.IGNORECASE equates with ASCII ones (dotless i, long s)
    need mapping (the Kelvin sign already lowers to "k")."""
    low = value.lower()
    if len(low) != len(value):
        return lowered(value)
    if not low.isascii() and ("\u0131" in low or "\u017f" in low):
        low = low.replace("\u0131", "i").replace("\u017f", "s")
    return low


def _unit_tokens(course: bool) -> list[str]:
    return [t for u in _UNITS["units"].values() if (float(u["weeks"]) >= _DAY) == course
            for t in u["tokens"] if t not in _SHORT or (course and len(t) > 1)]


_COURSE_UNIT = rules.alternation(_unit_tokens(course=True))
_SESSION_UNIT = rules.alternation(_unit_tokens(course=False))
_QTY = (rf"(?P<n>{NUM})(?:\s*(?:to|-|–|or)\s*(?P<n2>{NUM}))?\s*-?\s*(?:{rules.alternation(_P['unit_qualifiers'])}\s+)?"
        rf"(?P<u>{_COURSE_UNIT})\b")
_FILLER = rf"(?:(?!{rules.alternation(_P['filler_stop_words'])}\b)[a-z][\w-]*\s+)"
_MACROS = {"filler_stop_words": rules.alternation(_P["filler_stop_words"]), "num": NUM, "unit": UNIT, "course_unit": _COURSE_UNIT, "session_unit": _SESSION_UNIT, "qty": _QTY, "filler": _FILLER,
           "treatment_nouns": rules.alternation(_P["treatment_nouns"]),
           "period_prepositions": rules.alternation(_P["period_prepositions"]),
           "period_fillers": _any(_P["period_fillers"]), "lasting_verbs": _any(_P["lasting_verbs"]),
           "session_nouns": rules.alternation(_P["session_nouns"]),
           "weekly_session_nouns": rules.alternation(_P["weekly_session_nouns"]),
           "spaced_nouns": rules.alternation(_P["spaced_nouns"])}


def _rule(name: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern of treatment_periods.yaml. Most run on lowered() text without re.I (3x faster
    for number-led patterns, same spans)."""
    pattern = _P["patterns"][name]
    try:
        return compile_fast(rules.expand(pattern, _MACROS, f"treatment_periods.yaml patterns.{name}"), flags)
    except re.error as exc:
        raise rules.RuleError(f"treatment_periods.yaml patterns.{name}: {exc}") from exc


_LONG = _rule("length_noun")
_OF = _rule("length_of_noun")
_FOR = _rule("preposition_length")
_LASTS = _rule("verb_length")
_RECEIVES = _rule("receive_length")
_DURATION_AFTER = _rule("duration_after")
_DURATION_BEFORE = _rule("duration_before")
_WEEK_RANGE = _rule("week_range")
_STUDY_LENGTH = _rule("study_length")
_TITLE_STUDY_LENGTH = _rule("title_study_length")
# Run on lowered() text (case-sensitive: several times faster than re.IGNORECASE, same spans).
_WHOLE_STUDY = Guarded(_rule("whole_study"), r"the\s+(?:study|trial)")
_SPAN = Guarded(_rule("span", re.IGNORECASE), r"from\s+")
_WEEKLY = _rule("weekly")
_SESSIONS = _rule("sessions")
_SPACED = _rule("spaced")
_FREQ = _rule("frequency")
_FREQ_WORDS: dict[str, float] = {k: float(v) for k, v in _P["frequency_words"].items()}
_FREQ_PHRASES = [(re.compile(p), float(v)) for p, v in _P["frequency_phrases"].items()]

_EXTENSION = compile_fast(_stems(_P["extension_words"]), re.IGNORECASE)
_NOT_TREATMENT = compile_fast(_stems(_P["not_treatment_before"]), re.IGNORECASE)
_NOT_COURSE_NOUN = compile_fast(_any(_P["not_course_nouns"]), re.IGNORECASE)
_NOT_COURSE_CONTEXT = compile_fast(_stems(_P["not_course_clause"]), re.IGNORECASE)
_NOT_COURSE = compile_fast(r"\b" + rules.alternation(_P["not_course_word_before"]) + r"\b", re.IGNORECASE)
_AFTER_NOT = compile_fast(r"^\W*" + _any(_P["not_treatment_after"]), re.IGNORECASE)
_TREATMENT_CONTEXT = compile_fast(_any(_P["treatment_context"]), re.IGNORECASE)
_NOT_WHOLE_STUDY = compile_fast(_stems(_P["whole_study_not"]), re.IGNORECASE)
# Sub-day units state a session's length ("30 minutes per session"), never a course.
_SESSION_UNITS = frozenset({"minute", "hour"})

_SINGLE = compile_fast(rf"\b(?:a\s+)?{_any(_O['single_words'])}\s+(?:[\w-]+\s+){{0,2}}?"
                       rf"{rules.alternation(_O['single_nouns'])}s?\b", re.IGNORECASE)
_ONE_VISIT = [compile_fast(rules.expand(p, _MACROS, "one_off.yaml one_visit_phrases"), re.IGNORECASE)
              for p in _O["one_visit_phrases"]]
_ONE_OFF = compile_fast(_stems(_O["procedures"]), re.IGNORECASE)
_REPEATED = compile_fast(rules.expand(r"\b" + _any(_O["repeated_cues"]) + r"\b", _MACROS, "one_off.yaml repeated_cues"),
                         re.IGNORECASE)
_ASSESSMENT = compile_fast(_stems(_O["assessment_words"]), re.IGNORECASE)
_COURSE_KIND = compile_fast(_stems(_O["course_kinds"]), re.IGNORECASE)
_CONTEXT_BEFORE = compile_fast(_O["context_before"], re.IGNORECASE)
_NARRATIVE_SINGLE = Guarded(compile_fast(
    rf"\b{_any(_O['narrative_single_words'])}\s+(?:[\w-]+\s+){{0,2}}?{_any(_O['narrative_single_nouns'])}\b", re.IGNORECASE),
    "single", r"one[\s-]time", r"one[\s-]off", r"once[\s-]only")
_CONTROL = compile_fast(_any(_O["control_types"]), re.IGNORECASE)
_CONTROL_LABEL = compile_fast(rf"\b{_any(_O['control_labels'])}\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]])[.;]\s|\n")


@dataclass(frozen=True)
class Duration:
    weeks: float
    evidence: Evidence


def derive(record: TrialRecord) -> Duration | None:
    """The longest active treatment period; see the module docstring for the order of sources."""
    _lowered.cache_clear()  # a per-record cache, like extract._PER_RECORD_CACHES
    stated = [a.duration_weeks for a in record.arms if a.duration_weeks is not None]
    if stated:
        best = max(stated, key=lambda n: n.value)
        return Duration(best.value, Evidence.of(best, note=f"protocol arm duration = {best.value:g} weeks"))
    arms = _arm_groups(record)
    narrative = [t for t in (record.summary, record.description, record.design.description) if t is not None]
    study = _whole_study(narrative + [t for _, texts in arms for t in texts], narrative)
    found = _stated(record, arms, narrative)
    if study is not None and (found is None or study.weeks > found.weeks):
        return study
    if found is not None:
        return found
    labels = [a.label for a in record.arms if a.type is None or a.type.value.upper() != "NO_INTERVENTION"]
    one_off = _one_off_trial(arms, labels if record.arms else [None] * len(arms), narrative)
    if one_off is not None:
        return one_off
    return _one_off_title(record, arms) or _titled_study(record, arms)


def _one_off_title(record: TrialRecord, arms: list[tuple[bool, list[Text]]]) -> Duration | None:
    """"... Outcomes After Anterior Cervical Spine Surgery", "Dexamethasone in MIS-TLIF": when the
    arms name nothing one-off themselves (a device's name, "Collection Data") nor anything
    repeated or course-like, the one-off procedure the title names is the treatment."""
    title = record.official_title or record.title
    if title is None:
        return None
    if any(f[0] or f[2] for f in map(_one_off_facts, (t.value for _, texts in arms for t in texts))):
        return None
    repeated, single, course, procedure = _one_off_facts(title.value)
    span = None if repeated or (course and single is None) else single or procedure
    if span is None:
        return None
    return Duration(0.0, evidence(title, *span, "the title names a one-off treatment = 0 weeks"))


def _titled_study(record: TrialRecord, arms: list[tuple[bool, list[Text]]]) -> Duration | None:
    """"A Randomized, Multicenter, 16-week Study of ...": the last resort, when the arms state no
    period. The treatment runs for the study only when neither an arm nor the title names a one-off
    procedure (a "24-week study" of an injection is follow-up after it) and the study is
    interventional."""
    title = record.official_title or record.title
    kind = record.design.study_type
    if title is None or not arms or (kind is not None and kind.value.upper() != "INTERVENTIONAL"):
        return None
    texts = [title.value, *(t.value for _, group in arms for t in group)]  # the title may name it
    if any(f[1] is not None or f[3] is not None for f in map(_one_off_facts, texts)):
        return None
    for m in _TITLE_STUDY_LENGTH.finditer(_lowered(title.value)):
        unit = unit_of(m.group("u"))
        n = number(m.group("n2") or m.group("n"))
        if unit in _SESSION_UNITS or (unit == "year" and n > 3):
            continue  # "a 10-year cohort study" is no treatment course
        w = weeks(n, unit)
        quote = title.value[m.start():m.end()]
        return Duration(w, evidence(title, m.start(), m.end(), f"the title states the study length '{quote}' = {w:g} weeks"))
    return None


def _stated(record: TrialRecord, arms: list[tuple[bool, list[Text]]], narrative: list[Text]) -> Duration | None:
    # A stated period ("for 12 weeks") beats one computed from a session count and frequency.
    arm_texts = [t for _, texts in arms for t in texts]
    finders: tuple[Callable[[str], tuple[Candidate, ...]], ...] = (_candidates, _span_candidates, _session_candidates)
    for source in finders:
        if found := _longest(arm_texts, source):
            return found
    dated = _from_time_frames(record)
    if dated is not None:
        return dated
    for source in (_narrative_candidates, _narrative_span_candidates, _session_candidates):
        if found := _longest(narrative, source):
            return found
    return None


def _one_off_label(texts: list[Text]) -> bool:
    """The arm's own texts neither repeat the treatment nor name a course-like kind of it."""
    return not any(f[0] or f[2] for f in map(_one_off_facts, (t.value for t in texts)))


def _one_off_trial(arms: list[tuple[bool, list[Text]]], labels: list[Text | None],
                   narrative: list[Text]) -> Duration | None:
    """0 weeks when every active arm is a one-off procedure / injection / single session."""
    one_off: list[Duration] = []
    for (control, texts), label in zip(arms, labels):
        # The label may be all that names the procedure ("hUC-MSCs transplantation group"); it is
        # read only here: "Pain for 6 months or less" in a label is not a course.
        found = _one_off(texts) or (_one_off([label]) if label is not None and _one_off_label(texts) else None)
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


def _whole_study(texts: list[Text], narrative: list[Text]) -> Duration | None:
    """"use the app for the duration of the study" + "a 24-week study": the study length.

    Only in a sentence about using the treatment (not "keep medication stable throughout the
    study"), and only when the record states the study's length."""
    said: tuple[Text, int, int] | None = None
    # Arms share their interventions' texts: each distinct text is read once.
    for text in _distinct(texts):
        for m in _WHOLE_STUDY.finditer(_lowered(text.value)):
            sentence = _sentence(text.value, m.start(), m.end())
            if _TREATMENT_CONTEXT.search(sentence) and not _NOT_WHOLE_STUDY.search(sentence):
                said = (text, m.start(), m.end())
                break
        if said:
            break
    if said is None:
        return None
    for text in narrative:
        low = _lowered(text.value)
        for m in _STUDY_LENGTH.finditer(low):
            unit = unit_of(m.group("u"))
            if unit in _SESSION_UNITS:
                continue
            w = weeks(number(m.group("n2") or m.group("n")), unit)
            quote = text.value[m.start():m.end()].strip()
            used = said[0].value[said[1]:said[2]]
            return Duration(w, evidence(text, m.start(), m.end(),
                                        f"treatment used '{used}'; '{quote}' = {w:g} weeks"))
    return None


def _distinct(texts: list[Text]) -> list[Text]:
    """The texts without repeats of a value (the first of each kept, in order)."""
    first: dict[str, Text] = {}
    for t in texts:
        first.setdefault(t.value, t)
    return list(first.values())


def _sentence(value: str, start: int, end: int) -> str:
    """The sentence around [start, end) (cut at ". ", "; " or a line break)."""
    lo = max((m.end() for m in _SENTENCE_END.finditer(value, 0, start)), default=0)
    stop = _SENTENCE_END.search(value, end)
    return value[lo:stop.start() if stop else len(value)]


# A candidate before its Evidence: (weeks, start, end, note). The candidate finders are pure functions
# of the text (cached: arm and intervention texts repeat across arms); Evidence is built only for the
# candidate that wins.
Candidate = tuple[float, int, int, str]


def _longest(texts: list[Text], source: Callable[[str], tuple[Candidate, ...]]) -> Duration | None:
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


def _repeated(value: str) -> bool:
    """A cue that the treatment is repeated, outside sentences about assessment ("a daily pain
    diary", "contacted every week" say nothing about how often the treatment is given)."""
    return any(not _ASSESSMENT.search(_sentence(value, m.start(), m.end())) for m in _REPEATED.finditer(value))


@lru_cache(maxsize=4096)
def _one_off_facts(value: str) -> tuple[bool, tuple[int, int] | None, bool, tuple[int, int] | None]:
    """What one text says for the one-off rule: (repeated, span stating a single session/dose,
    names a course-like kind, span naming a one-off procedure). Cached: the interventions' texts
    repeat across the arms that share them."""
    single: tuple[int, int] | None = None
    if m := _SINGLE.search(value):
        single = m.span()
    else:
        for pattern in _ONE_VISIT:
            if m := pattern.search(value):
                single = m.span()
                break
    procedure = next((m.span() for m in _ONE_OFF.finditer(value)
                      if not _CONTEXT_BEFORE.search(value[max(0, m.start() - 20):m.start()])), None)
    return _repeated(value), single, bool(_COURSE_KIND.search(value)), procedure


def _one_off(texts: list[Text]) -> Duration | None:
    facts = [_one_off_facts(t.value) for t in texts]
    if any(f[0] for f in facts):
        return None
    # Stated as one-off ("a single injection", "4 hours of exposure", "in the clinical encounter"):
    # that holds even for a course-like kind of treatment (a single CBT session).
    for text, f in zip(texts, facts):
        if f[1] is not None:
            return Duration(0.0, evidence(text, *f[1], "one-off treatment = 0 weeks"))
    if any(f[2] for f in facts):
        return None
    for text, f in zip(texts, facts):
        if f[3] is not None:
            return Duration(0.0, evidence(text, *f[3], "one-off procedure/injection = 0 weeks"))
    return None


_TF_PERIODS = [compile_fast(rules.expand(p, _MACROS, f"treatment_periods.yaml time_frame_patterns[{i}]"))
               for i, p in enumerate(_P["time_frame_patterns"])]


def _from_time_frames(record: TrialRecord) -> Duration | None:
    """A time frame that dates the end of treatment ("Week 8 (End of Treatment)") or states the
    treatment's length ("before and after 6 weeks of NightWare"); the longest over the outcomes."""
    best: Duration | None = None
    first: dict[str, Text] = {}  # outcomes repeat their time frames: each text is read once
    for o in record.outcomes:
        if o.time_frame is not None:
            first.setdefault(o.time_frame.value, o.time_frame)
    for tf in first.values():
        p = timeframes.end_of_treatment_at(tf.value)
        if p is not None and (best is None or p.weeks > best.weeks):
            best = Duration(p.weeks, evidence(tf, p.start, p.end, f"time frame dates the end of treatment at {p.weeks:g} weeks"))
        for w, start, end, note in _tf_periods(tf.value):
            if best is None or w > best.weeks:
                best = Duration(w, evidence(tf, start, end, note))
    return best


@lru_cache(maxsize=8192)
def _tf_periods(value: str) -> tuple[Candidate, ...]:
    low = _lowered(value)
    if not _UNIT_HINT.search(low):
        return ()
    out: list[Candidate] = []
    for pattern in _TF_PERIODS:
        for m in pattern.finditer(low):
            unit = unit_of(m.group("u"))
            if unit in _SESSION_UNITS:
                continue
            w = weeks(number(m.group("n2") or m.group("n")), unit)
            out.append((w, m.start(), m.end(), f"time frame states the treatment period '{value[m.start():m.end()]}' = {w:g} weeks"))
    return tuple(out)


# Every course pattern ends in a unit word; most texts have none, so one quick search for a unit
# skips the number-led patterns. Run on lowered() text (case-sensitive is faster, same matches);
# in a match the unit never follows a letter (a space, "-" or a digit: "12-week", "12weeks"), so
# "today" or "demo" marks no clause.
_UNIT_HINT = compile_fast(rf"(?<![a-z]){_COURSE_UNIT}\b")
# Words _SESSIONS needs (it runs case-sensitively on lowered text, so finding none rules it out).
_SESSION_HINT = compile_fast(rules.alternation(_P["session_nouns"]))


def _narrative_candidates(value: str) -> tuple[Candidate, ...]:
    return _candidates(value, narrative=True)


def _narrative_span_candidates(value: str) -> tuple[Candidate, ...]:
    return _span_candidates(value, narrative=True)


# Where a clause ends: no number-led pattern matches a comma, a semicolon or a full stop before a
# space (their only "." is a decimal point between digits).
_CLAUSE_CUT = re.compile(r"[,;]|\.\s")


def _clauses_with(low: str, hint: re.Pattern[str]) -> list[tuple[int, int]]:
    """[start, end) of the clauses (cut at , ; and ". ") that contain a match of `hint`.

    Every match of the number-led patterns lies inside one clause and contains a `hint` match (a
    unit word, a session word), so scanning these stretches (pos/endpos: look-behinds still see the
    text before, and the character at endpos is not a word character, so \\b reads the same) finds
    the same matches as scanning the whole text, on a fraction of it."""
    m = hint.search(low)
    if m is None:
        return []
    if len(low) < 400:  # short texts: one scan is cheaper than finding clauses
        return [(0, len(low))]
    spans: list[tuple[int, int]] = []
    end, covered = 0, 0
    while m:  # one search per clause with a mark, then on past its end
        at = m.start()
        start = max(end, low.rfind(",", 0, at) + 1, low.rfind(";", 0, at) + 1, low.rfind(". ", 0, at) + 1)
        stop = _CLAUSE_CUT.search(low, m.end())
        end = len(low) if stop is None else stop.start()
        spans.append((start, end))
        covered += end - start
        m = hint.search(low, end)
    # Most of the text marked: one scan of it is cheaper than one per clause (same matches).
    return [(spans[0][0], spans[-1][1])] if covered * 3 > len(low) * 2 else spans


# Patterns read like "for 12 weeks" (the words before decide) and like "a 12-week program" (the
# noun decides); "duration" patterns say outright that the length is a duration.
_PREPOSITION_LED = (_FOR, _LASTS, _RECEIVES, _DURATION_BEFORE, _DURATION_AFTER)
_NOUN_LED = (_LONG, _OF)
# With the words every match starts with (prefilter.trigger_words, read off the rule's pattern).
# The words as one alternation: one C-level scan instead of a Python loop of `in` tests.
_COURSE_PATTERNS = [(p, None if (t := trigger_words(p)) is None else re.compile("|".join(map(re.escape, t))))
                    for p in (*_NOUN_LED, *_PREPOSITION_LED, _WEEK_RANGE)]
# Patterns whose matches start with the quantity itself ({qty}...): tried only where a quantity
# starts, found once per text by one zero-width scan, instead of each scanning every clause.
_QTY_LED = frozenset({_LONG, _OF, _DURATION_AFTER})
_QTY_AT = compile_fast(rf"(?={_QTY})")


def _quantity_starts(low: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(position, end of its clause) of every quantity in the clauses, ascending."""
    return [(m.start(), end) for start, end in spans for m in _QTY_AT.finditer(low, start, end)]


def _anchored(pattern: re.Pattern[str], low: str, starts: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
    """pattern.finditer over the clauses, for a pattern whose every match starts at a quantity: the
    match at each start, skipping starts inside the previous match (finditer's order and spans)."""
    after = 0
    for at, end in starts:
        if at >= after and (m := pattern.match(low, at, end)):
            after = m.end()
            yield m


@lru_cache(maxsize=8192)
def _candidates(value: str, narrative: bool = False) -> tuple[Candidate, ...]:
    low = _lowered(value)
    spans = _clauses_with(low, _UNIT_HINT)
    if not spans:
        return ()
    out: list[Candidate] = []
    seen: set[int] = set()
    starts: list[tuple[int, int]] | None = None
    for pattern, triggers in _COURSE_PATTERNS:  # noun-led first: the spans the older rules gave
        matches: Iterable[re.Match[str]]
        if pattern in _QTY_LED:
            starts = _quantity_starts(low, spans) if starts is None else starts
            matches = _anchored(pattern, low, starts)
        else:
            # A match lies inside one span and starts with one of its trigger words: a span
            # without any cannot hold one.
            found = (pattern.finditer(low, start, end) for start, end in spans
                     if triggers is None or triggers.search(low, start, end))
            matches = (m for ms in found for m in ms)
        for m in matches:
            if m.start("n") in seen or not _course_context(value, m, pattern, narrative):
                continue
            unit = unit_of(m.group("u"))
            n = number(m.groupdict().get("n2") or m.group("n"))
            explicit = pattern in (_DURATION_AFTER, _DURATION_BEFORE)
            if unit in _SESSION_UNITS or (unit == "year" and n > 3 and not explicit):
                continue  # a session's length; "for 10 years" in a description is history
            seen.add(m.start("n"))
            w = weeks(n, unit)
            said = value[m.start():m.end()].strip()
            out.append((w, m.start(), m.end(), f"treatment period '{said}' = {w:g} weeks"))
    return tuple(out)


def _course_context(value: str, m: re.Match[str], pattern: re.Pattern[str], narrative: bool) -> bool:
    """The words around a length say it is a course, not follow-up, a time point or a history."""
    # The last words before the quantity decide its context: "followed for 12 months" is
    # follow-up, "after 8 weeks of treatment" is a time point, not a course length.
    words = value[max(0, m.start() - 60):m.start()].split()
    after = value[m.end():m.end() + 25]
    if pattern in _PREPOSITION_LED or pattern is _WEEK_RANGE:
        # A verb that gives the treatment ("will be given access ... for 90 days") decides nearer.
        if _NOT_TREATMENT.search(" ".join(words[-3:] if pattern in (_LASTS, _RECEIVES) else words[-6:])):
            return False
        # "weeks 1-7 post-assault" counts the treatment weeks from an event; "for 3 months prior
        # to surgery" is a history.
        if pattern is not _WEEK_RANGE and _AFTER_NOT.match(after):
            return False
        # "continued receiving reminders during Weeks 7 to 10": an extension, not the course.
        if pattern is _WEEK_RANGE and _EXTENSION.search(_sentence(value, m.start(), m.end())):
            return False
        return not narrative or _near_treatment(value, m.start(), m.end())
    return not (_NOT_COURSE.search(" ".join(words[-1:])) or _AFTER_NOT.match(after)
                or _NOT_COURSE_NOUN.search(value, m.start(), m.end())
                or _NOT_COURSE_CONTEXT.search(_clause_tail(value, m.start())))


def _near_treatment(value: str, start: int, end: int) -> bool:
    """A treatment word (treatment_context) within 80 characters before a length in the summary or
    60 after it: room for a subject and verb after it ("for the next 30 days, the same group of
    participants will use the app")."""
    return bool(_TREATMENT_CONTEXT.search(value[max(0, start - 80):end + 60]))


@lru_cache(maxsize=8192)
def _span_candidates(value: str, narrative: bool = False) -> tuple[Candidate, ...]:
    """"from Day 1 up to Week 6": weaker than a stated period (the text may go on to an extension).
    In the summary only near a treatment word, as for a stated period there ("the mean change in
    ODI from baseline to Month 12" is an outcome)."""
    out: list[Candidate] = []
    for m in _SPAN.finditer(value):
        before = " ".join(value[max(0, m.start() - 60):m.start()].split()[-6:])
        if _NOT_TREATMENT.search(before) or _EXTENSION.search(value, m.end(), m.end() + 80):
            continue
        if narrative and not _near_treatment(value, m.start(), m.end()):
            continue
        if m.group("n") is not None:
            w = weeks(float(m.group("n")), unit_of(m.group("u")))
        else:  # "from the preoperative day to 1 week postoperative"
            w = weeks(number(m.group("n3")), unit_of(m.group("u3")))
        out.append((w, m.start(), m.end(), f"treatment given '{m.group()}' = {w:g} weeks"))
    return tuple(out)


def _clause_tail(value: str, start: int) -> str:
    """The last three words before `start` within the same clause (stops at , ; . :)."""
    head = value[max(0, start - 60):start]
    cut = max(head.rfind(c) for c in ",;.:(")
    return " ".join(head[cut + 1:].split()[-3:])


@lru_cache(maxsize=8192)
def _session_candidates(value: str) -> tuple[Candidate, ...]:
    """Lengths computed from a session count: "8 weekly sessions", "12 sessions, twice a week",
    "two treatments spaced 4 weeks apart"."""
    low = _lowered(value)
    out: list[Candidate] = []
    if "weekly" in low:
        for m in _WEEKLY.finditer(low):
            n = number(m.group("n"))
            if 1 < n <= 52:
                out.append((n, m.start(), m.end(), f"{n:g} weekly sessions = {n:g} weeks"))
    if " apart" in low or "interval" in low:
        for m in _SPACED.finditer(low):
            count, unit = number(m.group("c")), unit_of(m.group("u"))
            if 1 < count <= 52 and unit not in _SESSION_UNITS:
                w = round((count - 1) * weeks(number(m.group("n")), unit), 2)
                out.append((w, m.start(), m.end(), f"{count:g} treatments {m.group('n')} {m.group('u')} apart = {w:g} weeks"))
    # A count needs a frequency nearby: without any frequency phrase, no count is read.
    spans = _clauses_with(low, _SESSION_HINT) if _FREQ_HINT.search(low) else []
    for m in (m for start, end in spans for m in _SESSIONS.finditer(low, start, end)):
        # The frequency must be stated close to the count, in the same passage, and be another
        # phrase than the count ("two sessions per week" is a frequency, not a count).
        freq = next((f for f in _FREQ.finditer(low, max(0, m.start() - 120), m.end() + 120)
                     if f.end() <= m.start() or f.start() >= m.end()), None)
        if freq is None:
            continue
        f = _freq(freq)
        n = number(m.group("n"))
        if f and f <= n <= 100 and not _SINGLE.match(m.group()):
            w = round(n / f, 2)
            out.append((w, min(m.start(), freq.start()), max(m.end(), freq.end()),
                        f"{n:g} sessions at {f:g} per week = {w:g} weeks"))
    return tuple(out)


# Every frequency phrase (_FREQ) contains "week" or is one of frequency_phrases.
_FREQ_HINT = re.compile("|".join(["week", *_P["frequency_phrases"]]))


def _freq(m: re.Match[str]) -> float | None:
    """Sessions a week of a frequency phrase ("twice a week" 2, "weekly" 1, "on alternate days" 3.5)."""
    if m.group("alt") is not None:
        return next((v for p, v in _FREQ_PHRASES if p.fullmatch(m.group("alt"))), None)
    token = m.group("f")
    if token is None:
        return 1.0
    token = token.lower()
    if token in _FREQ_WORDS:
        return _FREQ_WORDS[token]
    try:
        return number(token)
    except (KeyError, ValueError):
        return None


WRITES = ("treatment.duration_weeks",)
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    dur = derive(record)
    sheet.set("treatment.duration_weeks", dur.weeks if dur else None, dur.evidence if dur else None)
