"""The eligibility rules (rules/eligibility.yaml) compiled: the back-pain vocabularies, and the
phrase patterns of the eligibility text, with their {macros} and the trigger index they are
searched through (scan.Scan)."""

from __future__ import annotations

import re
from typing import Any

from auditor.extract import rules
from auditor.extract.text import NUM, UNIT, TriggerIndex, compile_fast, trigger_words

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
_UNIT_RULES = rules.load("units")
# The short unit tokens ("mo", "wk") but the one-letter ones ("10 m walk" is metres).
_SHORT = rules.alternation(sorted(set(_UNIT_RULES["short_tokens"]) - set(_UNIT_RULES["glued_tokens"])))
_MACROS.update({name: _alt(name) for name in ("pain", "care", "generic_care", "failure")})

# --- about back pain (short texts: conditions, keywords, titles; case-insensitive) ------------
LBP = _compile(rf"\b(?:{_alt('words', _BACK)}|lumbar(?!\s+{_alt('not_lumbar', _BACK)}))",
               "back_pain.words", re.IGNORECASE)
SPINE = _compile(rf"\b{_alt('spine_conditions', _BACK)}", "back_pain.spine_conditions", re.IGNORECASE)
UPPER_SPINE = _compile(rf"\b{_alt('upper_spine', _BACK)}", "back_pain.upper_spine", re.IGNORECASE)
OTHER_SITE = _compile(rf"\b{_alt('other_sites', _BACK)}\b", "back_pain.other_sites", re.IGNORECASE)

# --- eligibility text (lower-cased) -----------------------------------------------------------
# Searched through the trigger index (scan.Scan): what they match must start with a literal word.
INDEXED: dict[str, re.Pattern[str]] = {
    "exclusion": _compile(_alt("exclusion_markers"), "exclusion_markers"),
    "task_force": _any("task_force"),
    "any_duration": _any("any_duration"),
    "acute": _any("acute"),
    "chronic": _any("chronic"),
    # A duration: a unit word (then the number just before it, NUM_BEFORE).
    # The short tokens ("6 mo", "12wk") only right after a number in digits, as time frames read them.
    "unit": _compile(rf"(?<![a-z]){{unit}}\b|(?<=\d)(?:{_SHORT})\b|(?<=\d\s)(?:{_SHORT})\b", "unit"),
    "anchor": _compile(r"\b(?:(?P<care>{care})|(?P<pain>{pain})|(?P<generic>{generic_care}))\b", "pain/care"),
    "failure": _compile(r"\b{failure}", "failure"),
    "other_dated": _compile(rf"\b{_alt('other_dated')}\b", "other_dated"),
}
INDEX = TriggerIndex({name: trigger_words(p) for name, p in INDEXED.items()})
# The number just before a unit word, past its digits restated in brackets ("three (3) months", as
# legal and sponsor texts write numbers) and a qualifier ("3 consecutive months").
NUM_BEFORE = _compile(rf"(?P<n>{{num}})\s*(?:\(\s*\d+\s*\)\s*)?-?\s*(?:{_alt('unit_qualifiers')}\s+)?$", "number")
SHORT_UNITS = {"minute", "hour"}  # minutes and hours are no pain duration ("sit for 50 minutes")
# What ends a clause: sentence and list punctuation (abbreviation dots are blanked first).
CLAUSE_END = re.compile(r"[;\n]|\.(?!\d)")
DOT = re.compile(r"[.\\]")
ABBREVIATION = re.compile(rf"(?<![a-z]){_alt('abbreviations')}")
LOWER_BEFORE = _compile(rf"(?:\b{_alt('lower_before')}\s*|{_alt('lower_before_symbols')}\s*)[:=]?\s*$",
                        "lower_before")
UPPER_BEFORE = _compile(rf"(?:\b{_alt('upper_before')}\s*|{_alt('upper_before_symbols')}\s*)[:=]?\s*$",
                        "upper_before")
WINDOW_BEFORE = _compile(rf"\b{_alt('window_before')}\s*$", "window_before")
# ... but not the start of the next comparator: "less than 3 months or more than 5 years".
LOWER_AFTER = _compile(rf"\s*{_alt('lower_after')}\b(?!\s+than\b)", "lower_after")
UPPER_AFTER = _compile(rf"\s*{_alt('upper_after')}\b(?!\s+than\b)", "upper_after")
AFTER_ANCHOR = _compile(rf"[\s)]*(?:{_alt('after_connectors')}\s+(?:[\w-]+\s+){{0,3}}?)?"
                        r"(?:(?P<care>{care})|(?P<pain>{pain})|(?P<generic>{generic_care}))\b", "after_connectors")
OTHER_DATED = INDEXED["other_dated"]
WITHIN = re.compile(r"\bwithin\b")  # "within 30 days": a history window in an exclusion
NEGATION = _compile(rf"\b{_alt('negations')}\b", "negations")
PAIN_FREE = _any("pain_free")
CHRONIC_BRACKET_BEFORE = _compile(_RULES["chronic_bracket_before"], "chronic_bracket_before")
CHRONIC_BRACKET_AFTER = _compile(_RULES["chronic_bracket_after"], "chronic_bracket_after")
PAIN_FREE_AFTER = _compile(r"\s*(?:" + "|".join(f"(?:{p})" for p in [*_RULES["pain_free"], *_RULES["pain_free_after"]]) + ")",
                           "pain_free_after")
RANGE = _compile(_RULES["range_pattern"], "range_pattern")
PART_OF_WINDOW = _compile(_RULES["part_of_window"], "part_of_window")
