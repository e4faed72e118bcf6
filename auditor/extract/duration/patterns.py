"""The rule files compiled: rules/treatment_periods.yaml (course, span, session and time-frame
patterns, the context vocabularies) and rules/one_off.yaml (one-off wording, procedures, control
arms), expanded with the unit spellings of units.yaml. Only data here: the modules beside it
apply it.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.extract import rules
from auditor.extract.text import NUM, UNIT, Guarded, compile_fast

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


def _unit_tokens(course: bool) -> list[str]:
    return [t for u in _UNITS["units"].values() if (float(u["weeks"]) >= _DAY) == course
            for t in u["tokens"] if t not in _SHORT or (course and len(t) > 1)]


_COURSE_UNIT = rules.alternation(_unit_tokens(course=True))
_SESSION_UNIT = rules.alternation(_unit_tokens(course=False))
# The number may be restated in brackets, as US registries write it: "twelve (12) weeks",
# "12 (twelve) weeks".
_RESTATED = r"(?:\s*\(\s*(?:\d+|[a-z]+(?:-[a-z]+)?)\s*\))?"
# An ordinal names a position in time, not a length: "the first year on treatment", "the 12th
# week" ("for the first 8 weeks" counts the 8, the filler takes "first").
_CARDINAL = rf"(?!(?:{rules.alternation(list(_UNITS['ordinals']))})\b|\d+(?:st|nd|rd|th)\b){NUM}"
_QTY = (rf"(?P<n>{_CARDINAL}){_RESTATED}(?:\s*(?:to|-|–|or)\s*(?P<n2>{_CARDINAL}){_RESTATED})?\s*-?\s*"
        rf"(?:{rules.alternation(_P['unit_qualifiers'])}\s+)?(?P<u>{_COURSE_UNIT})\b")
# Filler words between a length and its noun; a word may hold a slash ("online/app-based") and
# open a quotation ("a 5-week 'active phase'"; ASCII quotes only: a non-ASCII character in a
# pattern leaves it without its ASCII twin, auditor/extract/fast_patterns.py).
# A session count is a filler too: "a 4-week, 12-SESSION program".
_FILLER = (rf"(?:(?!{rules.alternation(_P['filler_stop_words'])}\b)['\"]?[a-z][\w/-]*\s+"
           rf"|\d+\s*-?\s*{rules.alternation(_P['session_nouns'])}\s+)")
_MACROS = {"filler_stop_words": rules.alternation(_P["filler_stop_words"]), "num": NUM, "unit": UNIT, "course_unit": _COURSE_UNIT, "session_unit": _SESSION_UNIT, "qty": _QTY, "filler": _FILLER,
           "treatment_nouns": rules.alternation(_P["treatment_nouns"]),
           "outcome_treatment_nouns": rules.alternation([n for n in _P["treatment_nouns"]
                                                         if n not in _P["outcome_not_treatment_nouns"]]),
           "period_prepositions": rules.alternation(_P["period_prepositions"]),
           "period_fillers": _any(_P["period_fillers"]), "lasting_verbs": _any(_P["lasting_verbs"]),
           "session_nouns": rules.alternation(_P["session_nouns"]),
           "weekly_session_nouns": rules.alternation(_P["weekly_session_nouns"]),
           "spaced_nouns": rules.alternation(_P["spaced_nouns"]), "period_names": _any(_P["period_names"])}


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
_OUTCOME_LONG = _rule("outcome_length_noun")
_FOR = _rule("preposition_length")
_FOR_ONE = _rule("preposition_one_unit")
_LASTS = _rule("verb_length")
_RECEIVES = _rule("receive_length")
_DURATION_AFTER = _rule("duration_after")
_DURATION_BEFORE = _rule("duration_before")
_IS_LENGTH = _rule("noun_is_length")
_NAMED_PERIOD = _rule("named_period_length")
_NOUN_OF = _rule("noun_of_length")
_TIMES = _rule("times_length")
_LONG_COMMA = _rule("article_length_comma_noun")
_UNIT_COMMA = compile_fast(rf"(?<![a-z]){_COURSE_UNIT}\b\s*,")
# Spans commas: read on the whole text, not clause by clause (courses.py), where its hint is found
# (a frequency before a comma; a unit before a comma).
_SCHEDULE = _rule("schedule_length")
_SCHEDULE_HINT = compile_fast(r"(?:da(?:y|ily)|bid|tid|qid|qd|week(?:ly)?|wk)\s*,")
_WEEK_RANGE = _rule("week_range")
_PHASE_LENGTH = _rule("phase_length")
_DAY_RANGE = _rule("day_range")
_UNTIL_WEEK = _rule("until_week")
_STUDY_LENGTH = _rule("study_length")
_TITLE_STUDY_LENGTH = _rule("title_study_length")
# Run on lowered() text (case-sensitive: several times faster than re.IGNORECASE, same spans).
_WHOLE_STUDY = Guarded(_rule("whole_study"), "study", "trial")
_SPAN = Guarded(_rule("span", re.IGNORECASE), r"from\s+")
_WEEKLY = _rule("weekly")
_SESSIONS = _rule("sessions")
_SPACED = _rule("spaced")
_CYCLES = [_rule("cycles_every"), _rule("cycles_length_count"), _rule("cycles_count_length"), _rule("cycles_of_length")]
_OPEN_REPEAT = _rule("open_repeat")
_FREQ = _rule("frequency")
_FREQ_WORDS: dict[str, float] = {k: float(v) for k, v in _P["frequency_words"].items()}
_FREQ_PHRASES = [(re.compile(p), float(v)) for p, v in _P["frequency_phrases"].items()]

_COURSE_THEN = compile_fast(_any(_P["course_then"]) + r"$", re.IGNORECASE)
_EXTENSION = compile_fast(_stems(_P["extension_words"]), re.IGNORECASE)
_NOT_DAY_RANGE = compile_fast(_stems(_P["day_range_not"]), re.IGNORECASE)
_DAY_RANGE_DOSING = compile_fast(_stems(_P["day_range_and_dosing"]), re.IGNORECASE)
_NOT_COURSE_AFTER = compile_fast(r"\s*-?\s*" + _any(_P["not_course_after"]), re.IGNORECASE)
_NOT_TREATMENT_WORD = compile_fast(rules.expand(_stems(_P["not_treatment_before"]), _MACROS,
                                                "treatment_periods.yaml not_treatment_before"), re.IGNORECASE)
_INTERVAL = compile_fast(r"\b" + _P["interval_before"], re.IGNORECASE)
# ("Biweekly sessions (every two weeks) for 16 weeks": a bracket may open before "every")
_GIVEN_AT_INTERVALS = compile_fast(_stems(_P["given_at_intervals"]) + r"\w*[\s(]+(?:[\w-]+[\s(]+){0,2}?every\b", re.IGNORECASE)


def not_treatment(before: str, nearer_verb: bool = False) -> bool:
    """The words before a length make it something other than treatment (not_treatment_before), or
    it closes a repeat interval ("every 2 weeks for 12 weeks") of something not given
    (interval_before, given_at_intervals). With `nearer_verb`, a verb that gives the treatment
    (giving_verbs) after such a word decides instead ("to evaluate CBT delivered for 8 weeks")."""
    words = before
    if nearer_verb:
        for last in _GIVING_VERB.finditer(before):
            words = before[last.end():]
    return bool(_NOT_TREATMENT_WORD.search(words)) or (
        bool(_INTERVAL.search(before)) and not _GIVEN_AT_INTERVALS.search(before))
_NOT_COURSE_NOUN = compile_fast(_any(_P["not_course_nouns"]), re.IGNORECASE)
_NOT_COURSE_CONTEXT = compile_fast(_stems(_P["not_course_clause"]), re.IGNORECASE)
_NOT_COURSE = compile_fast(r"\b" + rules.alternation(_P["not_course_word_before"]) + r"\b", re.IGNORECASE)
# A match ending in one of these nouns names a window, not what is given ("over a four-month period").
_GENERIC_NOUN_END = compile_fast(r"\b" + rules.alternation(_P["outcome_not_treatment_nouns"]) + r"s?$", re.IGNORECASE)
_RECRUITMENT = compile_fast(_stems(_P["recruitment_words"]), re.IGNORECASE)
_TREATMENT_VERB = compile_fast(_stems(_P["treatment_verbs"]), re.IGNORECASE)
_GIVING_VERB = compile_fast(r"(?<!while )" + _stems(_P["giving_verbs"]), re.IGNORECASE)
_AFTER_NOT = compile_fast(r"^[^\w,;.!?]*" + _any(_P["not_treatment_after"]), re.IGNORECASE)
_TREATMENT_CONTEXT = compile_fast(_any(_P["treatment_context"]), re.IGNORECASE)
# A finding about an earlier study (the words before a match, same sentence): one list for every
# reader of prose, in rules/harms.yaml (background_before).
_BACKGROUND = compile_fast(_any(rules.load("harms")["background_before"]), re.IGNORECASE)
_NOT_WHOLE_STUDY = compile_fast(_stems(_P["whole_study_not"]), re.IGNORECASE)
# Sub-day units state a session's length ("30 minutes per session"), never a course.
_SESSION_UNITS = frozenset({"minute", "hour"})

# ("a SINGLE-SESSION intervention": a hyphen right before the noun; "single-blind" and "single-arm"
# name the design)
_SINGLE = compile_fast(rf"\b(?:a\s+)?{_any(_O['single_words'])}(?:\s+(?:[\w-]+\s+){{0,2}}?|-)"
                       rf"{rules.alternation(_O['single_nouns'])}s?\b", re.IGNORECASE)
_ONE_VISIT = [compile_fast(rules.expand(p, _MACROS, "one_off.yaml one_visit_phrases"), re.IGNORECASE)
              for p in _O["one_visit_phrases"]]
# One scan for all of them (each text of every arm is read).
_PERIOPERATIVE = compile_fast("|".join(f"(?:{rules.expand(p, _MACROS, 'one_off.yaml perioperative_phrases')})"
                                       for p in _O["perioperative_phrases"]), re.IGNORECASE)
_ONE_OFF = compile_fast(_stems(_O["procedures"]), re.IGNORECASE)
_REPEATED = compile_fast(rules.expand(r"\b" + _any(_O["repeated_cues"]) + r"\b", _MACROS, "one_off.yaml repeated_cues"),
                         re.IGNORECASE)
_ASSESSMENT = compile_fast(_stems(_O["assessment_words"]), re.IGNORECASE)
_COURSE_KIND = compile_fast(_stems(_O["course_kinds"]), re.IGNORECASE)
_CONTEXT_BEFORE = compile_fast(_O["context_before"], re.IGNORECASE)
_PHARMACEUTICAL_FORM = compile_fast(_O["pharmaceutical_form_before"], re.IGNORECASE)
_PRODUCT_STRENGTH = compile_fast(_O["product_strength_after"], re.IGNORECASE)
_PRODUCT_TITLE = compile_fast(_any(_O["product_title_cues"]), re.IGNORECASE)
# "failed conservative treatment" ... just before a course-like kind: a history, not the arm's course.
_COURSE_HISTORY = compile_fast(
    rules.expand(r"\b" + _any(_O["course_kind_history"]) + r"\s+(?:[\w-]+,?\s+){0,3}?$", _MACROS,
                 "one_off.yaml course_kind_history"), re.IGNORECASE)
# "had previous spinal surgery" ... just before a procedure: a history, not the arm's procedure.
_PROCEDURE_HISTORY = compile_fast(r"\b" + _any(_O["procedure_history"]) + r"\s+(?:[\w-]+,?\s+){0,3}?$", re.IGNORECASE)
# ("single AND multiple doses", "single OR repeated injections": both, so no one-off)
_NARRATIVE_SINGLE = Guarded(compile_fast(
    rf"\b{_any(_O['narrative_single_words'])}\s+(?:(?!and\b|or\b|&)[\w-]+\s+){{0,2}}?{_any(_O['narrative_single_nouns'])}\b",
    re.IGNORECASE),
    "single", r"one[\s-]time", r"one[\s-]off", r"once[\s-]only")
# A time frame within hours of the treatment ("15 minutes", "immediately after application").
_SESSION_TIME_FRAME = compile_fast(rules.expand(_O["session_time_frame"], _MACROS, "one_off.yaml session_time_frame"),
                                   re.IGNORECASE)
# ... but not one that dates the end of a course or one of several sessions.
_COURSE_TIME_FRAME = compile_fast(_O["course_time_frame"], re.IGNORECASE)
_CONTROL = compile_fast(_any(_O["control_types"]), re.IGNORECASE)
_CONTROL_LABEL = compile_fast(rf"\b{_any(_O['control_labels'])}\b", re.IGNORECASE)


_RESTATED_LENGTH = compile_fast(rules.expand(_P["restated_length"], _MACROS, "treatment_periods.yaml restated_length"))
_AFTER_COURSE = compile_fast(rules.expand(_P["after_course_length"], _MACROS, "treatment_periods.yaml after_course_length"))
_AFTER_COURSE_HISTORY = compile_fast(_stems(_P["after_course_not_before"]), re.IGNORECASE)
_TF_PERIODS = [compile_fast(rules.expand(p, _MACROS, f"treatment_periods.yaml time_frame_patterns[{i}]"))
               for i, p in enumerate(_P["time_frame_patterns"])]


# Every course pattern ends in a unit word; most texts have none, so one quick search for a unit
# skips the number-led patterns. Run on lowered() text (case-sensitive is faster, same matches);
# in a match the unit never follows a letter (a space, "-" or a digit: "12-week", "12weeks"), so
# "today" or "demo" marks no clause.
_UNIT_HINT = compile_fast(rf"(?<![a-z]){_COURSE_UNIT}\b")
# The tail of every outcome_length_noun match (a unit, then up to three fillers and a noun): one
# search of all of a record's outcome texts rules the pattern out for most records. Run on
# lowered() text.
_OUTCOME_HINT = compile_fast(rules.expand(r"(?<![a-z]){course_unit}\b\s*-?\s*(?:long\s+)?{filler}{0,3}?"
                                          r"{outcome_treatment_nouns}\b", _MACROS, "outcome hint"))
# Words _SESSIONS needs (it runs case-sensitively on lowered text, so finding none rules it out).
_SESSION_HINT = compile_fast(rules.alternation(_P["session_nouns"]))

# Every frequency phrase (_FREQ) contains "week" or is one of frequency_phrases.
_FREQ_HINT = re.compile("|".join(["week", *_P["frequency_phrases"]]))
