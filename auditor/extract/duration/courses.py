"""Stated periods: "for 12 weeks", "a 12-week program", "12 weeks' duration", "(weeks 9-12)",
then spans ("from Day 1 up to Week 6"); with the context checks that tell a course from
follow-up, a time point or a history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import pairwise

from auditor.extract.background import reports_earlier_study
from auditor.extract.duration.cycles import _cycle_candidates, _open_repeat_weeks
from auditor.extract.duration.patterns import (
    _AFTER_NOT,
    _BACKGROUND,
    _COURSE_THEN,
    _DAY_RANGE,
    _DAY_RANGE_DOSING,
    _DURATION_AFTER,
    _DURATION_BEFORE,
    _EXTENSION,
    _FOR,
    _FOR_ONE,
    _GENERIC_NOUN_END,
    _IS_LENGTH,
    _LASTS,
    _LONG,
    _LONG_COMMA,
    _NAMED_PERIOD,
    _NOT_COURSE,
    _NOT_COURSE_AFTER,
    _NOT_COURSE_CONTEXT,
    _NOT_COURSE_NOUN,
    _NOT_DAY_RANGE,
    _NOUN_OF,
    _OF,
    _OUTCOME_LONG,
    _QTY,
    _RECEIVES,
    _RECRUITMENT,
    _RESTATED_LENGTH,
    _SCHEDULE,
    _SCHEDULE_HINT,
    _SESSION_UNITS,
    _SPAN,
    _TIMES,
    _TREATMENT_CONTEXT,
    _TREATMENT_VERB,
    _UNIT_COMMA,
    _UNIT_HINT,
    _UNTIL_WEEK,
    _WEEK_RANGE,
    not_treatment,
)
from auditor.extract.duration.reading import (
    Candidate,
    _clause_tail,
    _clauses_with,
    _lowered,
    _sentence,
    _sentence_before,
    _sentence_start,
)
from auditor.extract.record_cache import per_record
from auditor.extract.text import compile_fast, number, trigger_words, unit_of, weeks


def _narrative_candidates(value: str) -> tuple[Candidate, ...]:
    return _candidates(value, narrative=True)


def _narrative_span_candidates(value: str) -> tuple[Candidate, ...]:
    return _span_candidates(value, narrative=True)


# Patterns read like "for 12 weeks" (the words before decide) and like "a 12-week program" (the
# noun decides); "duration" patterns say outright that the length is a duration.
_PREPOSITION_LED = (_FOR, _FOR_ONE, _LASTS, _RECEIVES, _DURATION_BEFORE, _DURATION_AFTER, _TIMES, _SCHEDULE, _UNTIL_WEEK)
_NOUN_LED = (_LONG, _OF, _IS_LENGTH, _NAMED_PERIOD, _NOUN_OF, _LONG_COMMA)
# With the words every match starts with (prefilter.trigger_words, read off the rule's pattern).
# The words as one alternation: one C-level scan instead of a Python loop of `in` tests.
# Patterns that span a comma ("twice a day, 7-14 days", "a six-week, self-guided program") or need
# no word boundary after the unit ("Day1-3") are read on the whole text, not clause by clause.
_ACROSS_COMMAS = (_LONG_COMMA, _SCHEDULE, _DAY_RANGE)
_RANGES = (_WEEK_RANGE, _DAY_RANGE)
# What every match of each contains: without it the whole-text scan is skipped.
_HINTS: dict[re.Pattern[str], str | re.Pattern[str]] = {_LONG_COMMA: _UNIT_COMMA, _SCHEDULE: _SCHEDULE_HINT,
                                                        _DAY_RANGE: re.compile("day|week")}
_COURSE_PATTERNS = [(p, None if (t := trigger_words(p)) is None else re.compile("|".join(map(re.escape, t))))
                    for p in (*_NOUN_LED, *_PREPOSITION_LED, _WEEK_RANGE) if p not in _ACROSS_COMMAS]
# "the treatment period is 12 weeks" starts with one of ~90 nouns but always holds a copula or a
# field's colon ("Treatment period: 12 weeks"): a clause without one cannot hold a match (one search
# for the copula instead of the nouns).
# Likewise "a double-blind treatment period of 12 weeks" always holds "period" or "phase", and "a
# rehabilitation protocol of 6 weeks" always " of ".
_WORD_EVERY_MATCH_HOLDS = {_IS_LENGTH: re.compile(r"\b(?:is|was|be)\s|:"), _NAMED_PERIOD: re.compile(r"period|phase"),
                           _NOUN_OF: re.compile(r" of ")}
_COURSE_PATTERNS = [(p, _WORD_EVERY_MATCH_HOLDS.get(p, t)) for p, t in _COURSE_PATTERNS]
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


@per_record(maxsize=8192)
def _candidates(value: str, narrative: bool = False) -> tuple[Candidate, ...]:
    low = _lowered(value)
    spans = _clauses_with(low, _UNIT_HINT)
    if not spans and (narrative or "day" not in low):
        return ()
    out: list[Candidate] = []
    seen: set[int] = set()
    starts: list[tuple[int, int]] | None = None
    # noun-led first: the spans the older rules gave; then those across commas, on the whole text,
    # only in arm and intervention texts: they are how an intervention field lists a schedule
    # ("Day1-3: 500mg, BID", "twice a day, 7-14 days", "a six-week, self-guided program"), and a
    # whole-text scan of every long summary would cost more than all the rest.
    for pattern, triggers in (*_COURSE_PATTERNS, *((p, None) for p in (() if narrative else _ACROSS_COMMAS))):
        matches: Iterable[re.Match[str]]
        if pattern in _ACROSS_COMMAS:
            hint = _HINTS[pattern]
            matches = pattern.finditer(low) if (hint in low if isinstance(hint, str) else hint.search(low)) else iter(())
        elif pattern in _QTY_LED:
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
            n = 1.0 if pattern is _FOR_ONE else number(m.groupdict().get("n2") or m.group("n"))  # "for a month"
            explicit = pattern in (_DURATION_AFTER, _DURATION_BEFORE)
            if unit in _SESSION_UNITS or (unit == "year" and n > 3 and not explicit):
                continue  # a session's length; "for 10 years" in a description is history
            seen.add(m.start("n"))
            w, end = _restated(low, m.end(), weeks(n, unit), unit)
            said = value[m.start():end].strip()
            out.append((w, m.start(), end, f"treatment period '{said}' = {w:g} weeks"))
    # Cycles repeated with no count: a length up to the repeat interval is one course (cycles.py).
    repeat = _open_repeat_weeks(value)
    if repeat is not None:
        out = [c for c in out if c[0] > repeat]
    out += [c for c in _cycle_candidates(value) if not narrative or _near_treatment(value, c[1], c[2])]
    return tuple(out + _in_sequence(value, out))


def _restated(low: str, end: int, w: float, unit: str) -> tuple[float, int]:
    """(weeks, end of the quote): the length restated in brackets in a finer unit right after it
    ("for 3 months (12 weeks)") is the one the registry counted (restated_length), when the two
    agree within a fifth; else the length as read."""
    r = _RESTATED_LENGTH.match(low, end) if "(" in low[end:end + 3] else None
    if r is None:
        return w, end
    finer = unit_of(r.group("u"))
    if finer in _SESSION_UNITS or weeks(1, finer) >= weeks(1, unit):
        return w, end
    restated = weeks(number(r.group("n2") or r.group("n")), finer)
    return (restated, r.end()) if abs(restated - w) <= 0.2 * w else (w, end)


def _in_sequence(value: str, found: list[Candidate]) -> list[Candidate]:
    """Two stated periods joined by "followed by" / "then" ("for 6 weeks, followed by 6 weeks of home
    exercise"): one course of both, the sum (course_then)."""
    out: list[Candidate] = []
    ordered = sorted(found, key=lambda c: c[1])
    for a, b in pairwise(ordered):
        if a[2] <= b[1] <= a[2] + 40 and _COURSE_THEN.match(value, a[2], b[1]):
            w = round(a[0] + b[0], 2)
            out.append((w, a[1], b[2], f"treatment periods in sequence '{value[a[1]:b[2]]}' = {w:g} weeks"))
    return out


def _outcome_candidates(value: str) -> tuple[Candidate, ...]:
    """An outcome's measure or description naming the course ("at the end of the 12 week
    intervention"): only a length qualifying a treatment noun (outcome_length_noun), with the
    context checks of a noun-led length. Read last, once per record: not cached."""
    low = _lowered(value)
    # Every match starts at a quantity inside a clause with a unit word (as in _candidates).
    starts = _quantity_starts(low, _clauses_with(low, _UNIT_HINT))
    out: list[Candidate] = []
    for m in _anchored(_OUTCOME_LONG, low, starts):
        if not _course_context(value, m, _LONG, narrative=True):
            continue
        unit = unit_of(m.group("u"))
        n = number(m.group("n2") or m.group("n"))
        if unit in _SESSION_UNITS or (unit == "year" and n > 3):
            continue
        w = weeks(n, unit)
        said = value[m.start():m.end()].strip()
        out.append((w, m.start(), m.end(), f"an outcome names the treatment period '{said}' = {w:g} weeks"))
    return tuple(out)


def _course_context(value: str, m: re.Match[str], pattern: re.Pattern[str], narrative: bool) -> bool:
    """The words around a length say it is a course, not follow-up, a time point or a history."""
    # The last words before the quantity decide its context: "followed for 12 months" is
    # follow-up, "after 8 weeks of treatment" is a time point, not a course length.
    # Only words of its own sentence: "... the extent of the participant's pain. The total duration
    # of treatment will be 52 weeks" is no history of pain.
    words = value[max(_sentence_start(value, m.start()), m.start() - 60):m.start()].split()
    after = value[m.end():m.end() + 25]
    # "Treatment is 5 days a week", "take 2 weeks off": a frequency or a break (not_course_after);
    # "bid x 14 days" states the length whatever follows.
    if pattern is not _TIMES and _NOT_COURSE_AFTER.match(after):
        return False
    # In a summary, a finding of earlier studies is no course of this trial ("Previous studies used
    # a 12-week program"; harms.yaml background_before, shared).
    # A whole sentence reporting an earlier study, too ("A recent study (11) ... reported that for
    # the 8 months of the intervention ..."; background.py).
    if narrative and (_BACKGROUND.search(_sentence_before(value, m.start()))
                      or reports_earlier_study(_sentence(value, m.start(), m.end()))):
        return False
    # A recruiting sentence: for a length introduced by a preposition or verb, a range of days or
    # weeks ("recruited on days 1-3 of admission"), or a length before a generic noun ("over a four-month period"); "enrolled in the 12-week program" names the course.
    if ((pattern in _PREPOSITION_LED or pattern in _RANGES or _GENERIC_NOUN_END.search(m.group()))
            and _recruiting(value, m.start())):
        return False
    if pattern in _PREPOSITION_LED or pattern in _RANGES:
        # A verb that gives the treatment ("will be given access ... for 90 days") decides nearer.
        if not_treatment(" ".join(words[-3:] if pattern in (_LASTS, _RECEIVES) else words[-6:]), nearer_verb=True):
            return False
        # "weeks 1-7 post-assault" counts the treatment weeks from an event; "for 3 months prior
        # to surgery" is a history.
        if pattern not in _RANGES and _AFTER_NOT.match(after):
            return False
        # "once daily until Week 12": not in a sentence about assessment or follow-up, and not when
        # an extension follows ("till Day 14 ... and from Day 15 onward").
        if pattern is _UNTIL_WEEK and (not_treatment(_sentence_before(value, m.start()))
                                       or _EXTENSION.search(value, m.end(), m.end() + 80)):
            return False
        if pattern in _RANGES:
            sentence = _sentence(value, m.start(), m.end())
            # "continued receiving reminders during Weeks 7 to 10": an extension, not the course.
            if _extends(sentence):
                return False
            # "on days 1-3 of each 21-day cycle", "... Treatment repeats every 21 days": one cycle's
            # days, not the course (anywhere in the text: the repeat is often a sentence of its own).
            # "injection on day 0 and 28" is a dosing range; "MRI at Day 1 and Day 28" two visits.
            # A list of days ("days 0, 2, 4 and 8") is read as two days joined by "and" are.
            said = m.group().lower()
            if pattern is _DAY_RANGE and (_about_cycles(value) or ((" and " in said or "," in said)
                                                                   and not _DAY_RANGE_DOSING.search(sentence))):
                return False
        return not narrative or _near_treatment(value, m.start(), m.end())
    # "the follow-up period is 12 months", "the study period is ...": the word before the noun.
    if pattern in (_IS_LENGTH, _NAMED_PERIOD, _NOUN_OF) and _NOT_COURSE_NOUN.search(" ".join(words[-1:])):
        return False
    # "failed conservative treatment of 12 weeks" is a history: the words before decide, as before
    # "for 12 weeks".
    if pattern is _NOUN_OF and not_treatment(" ".join(words[-4:])):
        return False
    return not (_NOT_COURSE.search(" ".join(words[-1:])) or _AFTER_NOT.match(after)
                or _NOT_COURSE_NOUN.search(value, m.start(), m.end())
                or _NOT_COURSE_CONTEXT.search(_clause_tail(value, m.start())))


_ASIDE = re.compile(r"\([^()]*\)")


def _recruiting(value: str, start: int) -> bool:
    """The sentence before `start` is about recruiting ("will recruit 2800 infants ... over 3
    years") with no treatment verb after the recruiting word (recruitment_words, treatment_verbs)."""
    before = _sentence_before(value, start)
    ends = [m.end() for m in _RECRUITMENT.finditer(before)]
    return bool(ends) and not _TREATMENT_VERB.search(_ASIDE.sub(" ", before[ends[-1]:]))


@per_record(maxsize=256)
def _extends(sentence: str) -> bool:
    """Once per sentence: the ranges of a long sentence share it."""
    return bool(_EXTENSION.search(sentence))


@per_record(maxsize=256)
def _about_cycles(value: str) -> bool:
    """Once per text, not per dosing-day match (a long dosing table made it quadratic)."""
    return bool(_NOT_DAY_RANGE.search(value))


def _near_treatment(value: str, start: int, end: int) -> bool:
    """A treatment word (treatment_context) within 80 characters before a length in the summary or
    60 after it: room for a subject and verb after it ("for the next 30 days, the same group of
    participants will use the app")."""
    return bool(_TREATMENT_CONTEXT.search(value[max(0, start - 80):end + 60]))


@per_record(maxsize=8192)
def _span_candidates(value: str, narrative: bool = False) -> tuple[Candidate, ...]:
    """"from Day 1 up to Week 6": weaker than a stated period (the text may go on to an extension).
    In the summary only near a treatment word, as for a stated period there ("the mean change in
    ODI from baseline to Month 12" is an outcome)."""
    out: list[Candidate] = []
    for m in _SPAN.finditer(value):
        before = " ".join(value[max(0, m.start() - 60):m.start()].split()[-6:])
        if not_treatment(before) or _EXTENSION.search(value, m.end(), m.end() + 80):
            continue
        if narrative and not _near_treatment(value, m.start(), m.end()):
            continue
        if m.group("n") is not None:
            w = weeks(float(m.group("n")), unit_of(m.group("u")))
        else:  # "from the preoperative day to 1 week postoperative"
            w = weeks(number(m.group("n3")), unit_of(m.group("u3")))
        out.append((w, m.start(), m.end(), f"treatment given '{m.group()}' = {w:g} weeks"))
    return tuple(out)
