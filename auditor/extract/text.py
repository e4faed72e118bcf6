"""Small shared helpers: number words, unit conversion, quoting spans of a record's text.

Everything here is compiled once at import; extractors call these per record.
"""

from __future__ import annotations

import bisect
import re

from auditor.extract import rules
from auditor.extract.fast_patterns import FAST_PATTERNS, compile_fast  # noqa: F401
from auditor.extract.prefilter import Guarded, TriggerIndex, ascii_lower, trigger_words  # noqa: F401
from auditor.facts import Evidence, opening, shortened  # noqa: F401  (shortened text for quotes and notes)
from auditor.model import Arm, Intervention, Text, TrialRecord

_UNITS = rules.load("units")
# Number words registries use in time frames and schedules ("Twelve and Twenty-four months").
_ONES: dict[str, int] = _UNITS["ones"]
_TENS: dict[str, int] = _UNITS["tens"]
WORDS: dict[str, float] = {**_ONES, **_TENS, **_UNITS["other"]}
for _t, _tv in _TENS.items():
    for _o, _ov in list(_ONES.items())[1:10]:
        WORDS[f"{_t}-{_o}"] = _tv + _ov
        WORDS[f"{_t} {_o}"] = _tv + _ov
WORDS.update(_UNITS["ordinals"])

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
# A sentence of a description, for reading a schedule in it: not cut at a decimal point ("2.5
# points") nor after a lone lower-case letter ("at 3 months (i.e. immediately post treatment), 6
# months and 12 months", "e. g.").
SENTENCE_RE = re.compile(r"(?:[^.;\n]+|\.(?=\d)|(?<=[a-z])(?<![A-Za-z][a-z])\.)+(?:[.;\n]|$)")

# Weeks per unit and every spelling of each unit, from rules/units.yaml.
UNIT_WEEKS: dict[str, float] = {name: float(u["weeks"]) for name, u in _UNITS["units"].items()}
_UNIT_OF: dict[str, str] = {tok: name for name, u in _UNITS["units"].items() for tok in u["tokens"]}
_SHORT = set(_UNITS["short_tokens"])
# Any unit spelled out (not the one-letter forms, which are units only glued to a digit).
UNIT = rules.alternation([t for t in _UNIT_OF if t not in _SHORT])
UNIT_ALL = rules.alternation(list(_UNIT_OF))
_GLUED = set(_UNITS["glued_tokens"])
# A unit written after its number, also after a space or hyphen ("6 mo", "3-mths"): every token but
# the one-letter ones.
# (Prefix trees, like the number words: the time-frame patterns try them at every number.)
UNIT_WORD = "(?:" + _trie(sorted(t for t in _UNIT_OF if t not in _GLUED)) + ")"
# The one-letter units, as a character class: only glued to digits ("12m", "24h").
UNIT_LETTER = "[" + "".join(sorted(_GLUED)) + "]"
# A unit written before its number ("Week 12", "Months 1, 2, 3").
UNIT_BEFORE_NUMBER = "(?:" + _trie(sorted(t for t in _UNIT_OF if t not in _GLUED | set(_UNITS["not_before_number"]))) + ")"
# A tolerance's sign: "± 3 days", "+/- 7 days", "+- 2 weeks".
PLUS_MINUS = r"(?:±|\+\s*/\s*-|\+-)"


# The only non-ASCII characters that re.IGNORECASE equates with ASCII letters (found by testing
# every code point against a-z): lowered text must map them so a case-sensitive lower-case pattern
# matches where the same pattern with re.IGNORECASE matches on the original.
_IGNORECASE_ASCII = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}  # İ ı ſ K (Kelvin)


def lowered(value: str) -> str:
    """`value` in lower case with the same length, so match spans map back onto the original.

    Patterns that start with a number scan ~3x faster case-sensitively on lowered text than with
    re.IGNORECASE; for patterns written in lower-case ASCII both find the same matches. Characters
    whose lower case is longer ("İ" -> "i̇") or that re.IGNORECASE equates with an ASCII letter are
    mapped one to one (tests/extract/test_units.py holds this against re.IGNORECASE).
    """
    if value.isascii():
        return value.lower()
    # Whole-string lower() is one C call; it equals the per-character loop below when it keeps the
    # length (no character lowers to two) and there is no capital sigma (lower() gives the final
    # form at a word end, the loop does not). Then only dotless i and long s need mapping (the
    # Kelvin sign already lowers to "k").
    low = value.lower()
    if len(low) == len(value) and "\u03a3" not in value:
        if "\u0131" in low or "\u017f" in low:
            low = low.replace("\u0131", "i").replace("\u017f", "s")
        return low
    return "".join(_IGNORECASE_ASCII.get(c) or (low if len(low := c.lower()) == 1 else c) for c in value)


def unit_of(token: str) -> str:
    """Normalise a unit token ("wks", "Months", "mo") to a UNIT_WEEKS key."""
    try:
        return _UNIT_OF[token.lower().rstrip(".")]
    except KeyError:
        raise ValueError(token) from None


_DIGITS = re.compile(r"\d+(?:\.\d+)?")  # compiled once: number() runs for every quantity read


def number(token: str) -> float:
    """The value of a NUM token ("12", "1.5", "6th", "Twenty-four", "third")."""
    digits = _DIGITS.match(token)  # most tokens are digits: no need to lower-case them
    if digits:
        return float(digits.group())
    token = token.lower().strip()
    digits = _DIGITS.match(token)
    if digits:
        return float(digits.group())
    return float(WORDS[token.replace("  ", " ")])


# A number glued to a joining word of a list by a missing space, a common typing slip in
# registries: "6 and12 months", "at 3and 6 months", "6and12 weeks", "0to12". Only the lowercase words
# (case-sensitive: "AND", "OR" in capitals may be a name) and only where the word stands alone but
# for the digits: an instrument's name glues its digits to letters ("SF36", "EQ5D", "PHQ9") and is
# never split. Punctuation needs no mending: "baseline,6 weeks" reads as written.
_GLUED_JOIN = re.compile(r"(?<=\d)(?:and|or|to)(?![A-Za-z])|(?<![A-Za-z])(?:and|or|to)(?=\d)")


def unglued(text: str) -> tuple[str, list[int]]:
    """`text` with a space between a number and a joining word glued to it, and the positions of the
    spaces put in (in the returned text; `glued_index` maps a position back). A text with nothing
    glued (nearly all) is returned as it is, with []."""
    if not _GLUED_JOIN.search(text):
        return text, []
    parts: list[str] = []
    added: list[int] = []
    last = 0
    for m in _GLUED_JOIN.finditer(text):
        s, e = m.start(), m.end()
        parts.append(text[last:s])
        if s and text[s - 1].isdigit():
            added.append(s + len(added))
            parts.append(" ")
        parts.append(m.group())
        if e < len(text) and text[e].isdigit():
            added.append(e + len(added))
            parts.append(" ")
        last = e
    parts.append(text[last:])
    return "".join(parts), added


def glued_index(position: int, added: list[int]) -> int:
    """A position in `unglued(text)`'s text as a position in `text` (`added`: the spaces put in)."""
    return position - bisect.bisect_left(added, position)


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
