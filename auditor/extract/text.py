"""Small shared helpers: number words, unit conversion, quoting spans of a record's text.

Everything here is compiled once at import; extractors call these per record.
"""

from __future__ import annotations

import re

from auditor.extract.fastre import FAST_PATTERNS, compile_fast  # noqa: F401
from auditor.extract.prefilter import Guarded, TriggerIndex, ascii_lower, trigger_words  # noqa: F401
from auditor.facts import Evidence
from auditor.model import Arm, Intervention, Text, TrialRecord

# Number words registries use in time frames and schedules ("Twelve and Twenty-four months").
_ONES = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
         "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
             "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "fifteenth": 15,
             "twentieth": 20, "thirtieth": 30}
WORDS: dict[str, float] = {**_ONES, **_TENS, "hundred": 100, "half": 0.5}
for _t, _tv in _TENS.items():
    for _o, _ov in list(_ONES.items())[1:10]:
        WORDS[f"{_t}-{_o}"] = _tv + _ov
        WORDS[f"{_t} {_o}"] = _tv + _ov
for _o, _ov in _ORDINALS.items():
    WORDS[_o] = _ov

def _trie(words: list[str]) -> str:
    """An alternation of `words` as a prefix tree ("t(?:w(?:elve|enty(?:-four|...)?)|...)").

    `re` tries the alternatives of a flat list one by one (~150 number words at every word start);
    the tree tests each character once. At every node the longer words come before the word that
    ends there, so the tree matches like the flat list sorted longest first ("twenty-four" wins over
    "twenty", and "twenty" is still tried when what follows rules the longer word out)."""
    if words == [""]:
        return ""
    heads: dict[str, list[str]] = {}
    for w in words:
        if w:
            heads.setdefault(w[0], []).append(w[1:])
    alts = [re.escape(c) + _trie(rest) for c, rest in heads.items()]
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if "" in words:
        return f"(?:{body})?"
    return body


# Longest first so that "twenty-four" wins over "twenty" (the tree keeps that order).
_WORD_ALT = _trie([w for w in WORDS if w != "half"])
# A number: digits (1, 1.5, 1,000 is not a time), a number word, or a digit ordinal (6th, 1st).
# The leading look-ahead lists the first letters of every number word: without it the engine tries
# ~150 word alternatives at every character (13x slower on long descriptions).
NUM = rf"\b(?<!\.)(?=[\dzotfsenhZOTFSENH])(?:\d+(?:\.\d+)?(?:st|nd|rd|th)?|(?:{_WORD_ALT})\b)"
NUM_RE = re.compile(NUM, re.I)

# Weeks per unit; a month is 52/12 weeks so that 12 months = 52 weeks, 6 months = 26 weeks.
UNIT_WEEKS = {"minute": 1 / 10080, "hour": 1 / 168, "day": 1 / 7, "week": 1.0,
              "month": 52 / 12, "year": 52.0}
_UNIT_NORMAL = [(re.compile(p, re.I), u) for p, u in (
    (r"^min", "minute"), (r"^h", "hour"), (r"^d", "day"), (r"^w", "week"),
    (r"^mo|^m$|^mths?$", "month"), (r"^y", "year"))]


def lowered(value: str) -> str:
    """`value` in lower case with the same length, so match spans map back onto the original.

    Patterns that start with a number scan ~3x faster case-sensitively on lowered text than with
    re.IGNORECASE. A few characters change length when lowered ("İ"); those are kept as they are.
    """
    low = value.lower()
    if len(low) == len(value):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in value)


def unit_of(token: str) -> str:
    """Normalise a unit token ("wks", "Months", "mo") to a UNIT_WEEKS key."""
    token = token.lower()
    for pattern, unit in _UNIT_NORMAL:
        if pattern.search(token):
            return unit
    raise ValueError(token)


def number(token: str) -> float:
    """The value of a NUM token ("12", "1.5", "6th", "Twenty-four", "third")."""
    token = token.lower().strip()
    digits = re.match(r"\d+(?:\.\d+)?", token)
    if digits:
        return float(digits.group())
    return float(WORDS[token.replace("  ", " ")])


def weeks(value: float, unit: str) -> float:
    return round(value * UNIT_WEEKS[unit], 2)


def quote_around(text: str, start: int, end: int, limit: int = 160) -> str:
    """A quotable span of `text` covering [start, end), widened to whole words, at most `limit` chars."""
    if end - start >= limit:
        return text[start:end]
    pad = (limit - (end - start)) // 2
    lo, hi = max(0, start - pad), min(len(text), end + pad)
    # Cut at word boundaries so the quote reads naturally but stays an exact substring.
    while lo > 0 and lo < start and not text[lo - 1].isspace():
        lo += 1
    while hi < len(text) and hi > end and not text[hi].isspace():
        hi -= 1
    return text[lo:hi].strip() or text[start:end]


def evidence(source: Text, start: int, end: int, note: str | None = None, limit: int = 160) -> Evidence:
    """Evidence quoting the span [start, end) of a Text (widened a little for context)."""
    return Evidence.of(source, quote=quote_around(source.value, start, end, limit), note=note)


def narrative(record: TrialRecord) -> list[Text]:
    """Free-text fields that describe the trial as a whole (not eligibility)."""
    return [t for t in (record.title, record.official_title, record.summary, record.description,
                        record.design.description) if t is not None]


def arm_texts(record: TrialRecord) -> list[Text]:
    """Arm and intervention names/descriptions, in record order."""
    out: list[Text] = []
    for arm in record.arms:
        out += [t for t in (arm.label, arm.description) if t is not None] + list(arm.components)
    for iv in record.interventions:
        out += [t for t in (iv.name, iv.description) if t is not None] + list(iv.other_names)
    return out


def belongs(iv: Intervention, arm: Arm) -> bool:
    """The intervention is given in the arm (ctgov armGroupLabels, or the arm's "Type: Name" list)."""
    label = arm.label.value.strip().lower() if arm.label else None
    if label and any(a.value.strip().lower() == label for a in iv.arm_labels):
        return True
    if iv.name is not None:
        name = iv.name.value.strip().lower()
        return any(n.value.split(":", 1)[-1].strip().lower() == name for n in arm.intervention_names)
    return False
