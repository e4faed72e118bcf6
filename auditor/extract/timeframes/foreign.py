"""Times written with a unit word of another language ("12 måneder", "Woche 12", "3, 6 und 12
Monate"): the rules read English only, so such a time is a time the text states but whose context
(the event it is counted from, the pain it belongs to) is not read. rules/other_languages.yaml
spells the units; their length in weeks is units.yaml's (text.weeks).

Used by the time-frame quantities (a point from an unknown event) and by the eligibility rules (a
duration the criteria state in words the rules cannot read).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from auditor.extract import rules
from auditor.extract.text import compile_fast, weeks

_RULES = rules.load("other_languages")
_UNIT_OF: dict[str, str] = {w: name for name, words in _RULES["units"].items() for w in words}
_UNIT = rules.alternation(list(_UNIT_OF))
_NUMBER = r"\d++(?:[.,]\d++)?+"  # possessive: "1,2,3" is read one way (no backtracking over a list)
_SEP = rf"\s*(?:,|-|–|/|\b{rules.alternation([str(w) for w in _RULES['list_words']])}\b)\s*"
_NUMBERS = rf"{_NUMBER}(?:{_SEP}{_NUMBER})*+"
# Numbers then their unit ("3, 6 og 12 måneder", "12-Monats"): each whole list of numbers, then the
# unit after it (linear: a pattern "numbers then unit" retried at every number of a long list
# without a unit costs n^2), or the unit then its numbers ("Woche 12").
_LIST = re.compile(rf"(?<![\w.,]){_NUMBERS}", re.IGNORECASE)
_UNIT_AFTER = re.compile(rf"\s*-?\s*(?P<unit>{_UNIT})(?!\w)", re.IGNORECASE)
_BEFORE = re.compile(rf"(?<!\w)(?P<unit>{_UNIT})\s+(?P<nums>{_NUMBERS})(?![\w.,])", re.IGNORECASE)
_ONE = re.compile(_NUMBER)
_WORD = re.compile(rf"(?<!\w){_UNIT}(?!\w)", re.IGNORECASE)
# Any unit word, glued to a number or not: every time found contains one, and almost no registry
# text has any (3 texts of all the real exports), so one scan for it spares the number-list scans.
_ANY_UNIT = compile_fast(rf"{_UNIT}(?!\w)", re.IGNORECASE)


class Foreign(NamedTuple):
    """A time in another language's unit: its span and its values in weeks."""
    start: int
    end: int
    values: list[float]


def foreign_times(text: str) -> list[Foreign]:
    """Every time written with another language's unit word, in text order."""
    if not _ANY_UNIT.search(text):
        return []
    found = [_read(m.start(), u.end(), m.group(), u.group("unit")) for m in _LIST.finditer(text)
             if (u := _UNIT_AFTER.match(text, m.end())) and not _acronym(u.group("unit"))]
    taken = [(f.start, f.end) for f in found]
    found += [_read(m.start(), m.end(), m.group("nums"), m.group("unit")) for m in _BEFORE.finditer(text)
              if not _acronym(m.group("unit")) and not any(s < m.end() and m.start() < e for s, e in taken)]
    return sorted(found)


def _read(start: int, end: int, numbers: str, unit_word: str) -> Foreign:
    unit = _UNIT_OF[unit_word.lower()]
    return Foreign(start, end, [weeks(float(n.group().replace(",", ".")), unit) for n in _ONE.finditer(numbers)])


def unit_words(text: str) -> list[tuple[int, int]]:
    """The spans of every unit word of another language, with a number or not ("i mindst tre
    måneder": the number is a word of that language)."""
    return [m.span() for m in _WORD.finditer(text) if not _acronym(m.group())]


def _acronym(word: str) -> bool:
    """"MES 1" (Mayo endoscopic subscore), "TAG 150" (triacylglycerol), "ANS": a short unit word
    in capitals is an English abbreviation; the languages write "mes", "Tag", "ans"."""
    return len(word) <= 3 and word.isupper()
