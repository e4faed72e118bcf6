"""Small value builders every reader shares, so that the same source text maps the same way.

Readers differ in how they find a value (JSON pointer, XPath, table cell); once found, turning it
into a :class:`Text`, :class:`Number` or :class:`Dates` follows one set of rules, kept here:

- blank values, whitespace-only padding and the literal ``NULL`` (ICTRP) mean "not given";
- enrollment types are the API v2 vocabulary (``ACTUAL`` / ``ESTIMATED``; ``Anticipated`` and
  ``Estimate`` are the legacy spellings of ``ESTIMATED``);
- masked roles are the API v2 vocabulary (``PARTICIPANT``, ``CARE_PROVIDER``, ``INVESTIGATOR``,
  ``OUTCOMES_ASSESSOR``), whichever spelling the source uses, so extractors test one set of names;
- a number is only taken from text that *starts* with it (``120 ; Group A: 60`` -> 120, text kept);
  anything else is no number, never a guess.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable
from typing import Any

from auditor.model import Dates, Enrollment, Number, Text
from auditor.sources import dates

_NULLS = {"", "null", "none"}
_ENROLLMENT_TYPES = {"ACTUAL": "ACTUAL", "ANTICIPATED": "ESTIMATED", "ESTIMATED": "ESTIMATED",
                     "ESTIMATE": "ESTIMATED", "EXPECTED": "ESTIMATED", "PLANNED": "ESTIMATED"}
_ROLES = {"participant": "PARTICIPANT", "participants": "PARTICIPANT", "subject": "PARTICIPANT",
          "care provider": "CARE_PROVIDER", "caregiver": "CARE_PROVIDER", "investigator": "INVESTIGATOR",
          "outcomes assessor": "OUTCOMES_ASSESSOR", "outcome assessor": "OUTCOMES_ASSESSOR",
          "outcomes_assessor": "OUTCOMES_ASSESSOR", "care_provider": "CARE_PROVIDER"}
_PAREN = re.compile(r"\(([^)]*)\)")
# A count may be written approximately ("about 200", "approx. 120", "~60", "n = 80"): the number is
# the count, and the text is kept so that evidence quotes the qualifier.
_LEADING_NUMBER = re.compile(r"^\s*(?:(?:about|approximately|approx\.?|around|circa|ca\.|~|n\s*=)\s*)?"
                             r"(\d+(?:[.,]\d+)?)\s*(?:$|[;,(\s]|participants|patients|subjects)", re.I)
_PLAIN_NUMBER = re.compile(r"^\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*$")
_ALLOCATION = (
    re.compile(r"\bAllocation\s*:\s*([^.;,\n<]*[^.;,\n< ])", re.I),
    re.compile(r"\bRandomi[sz](?:ed|ation)\s*:\s*(?:yes|no|randomi[sz]ed|non[- ]?randomi[sz]ed|not randomi[sz]ed)\b", re.I),
)
_MASKING = re.compile(r"\bMasking\s*:\s*([^.;,\n<(]*(?:\([^)]*\))?)", re.I)
# EU CTR E.8.2.4, as ICTRP copies it into Study_design.
_ARMS = re.compile(r"\bNumber of treatment arms in the trial\s*:\s*(\d+)\b", re.I)
_MODEL = re.compile(r"\bIntervention model\s*:\s*([^.;,\n<]*[^.;,\n< ])", re.I)
_BREAK = re.compile(r"<\s*br\s*/?\s*>|<\s*/?\s*p\s*>", re.I)
_TAG = re.compile(r"<[a-zA-Z/][^<>]{0,200}>")
_BLANK_LINES = re.compile(r"[ \t]*\r?\n[ \t\r\n]*\n")


def clean(value: object) -> str | None:
    """The value as text, or None when the source gives nothing (blank, padding, ``NULL``)."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in _NULLS else text


def text(value: object, at: str, line: int | None = None, column: int | None = None) -> Text | None:
    cleaned = clean(value)
    return None if cleaned is None else Text(value=cleaned, at=at, line=line, column=column)


def strip_markup(value: str) -> str:
    """Registry HTML leftovers (``<br>``, ``<p>``, entities) to plain text with line breaks.

    ICTRP exports carry markup copied from source registers; the words are what the audit quotes,
    so tags become line breaks and runs of blank lines collapse to one.
    """
    if "<" not in value and "&" not in value and "\r" not in value:
        return value
    plain = _TAG.sub("", _BREAK.sub("\n", value.replace("\r", "")))
    return _BLANK_LINES.sub("\n\n", textwrap.dedent(html.unescape(plain))).strip()


def number(value: object, at: str, line: int | None = None, column: int | None = None) -> Number | None:
    """A count stated as a number, or as text that starts with the total (text kept); else None."""
    raw = clean(value)
    if raw is None:
        return None
    if _PLAIN_NUMBER.match(raw):
        return Number(value=float(raw.replace(",", "")), at=at, line=line, column=column,
                      text=raw if "," in raw else None)
    match = _LEADING_NUMBER.match(raw)
    if match and "," not in match.group(1):
        return Number(value=float(match.group(1)), at=at, line=line, column=column, text=raw)
    return None


def stated_enrollment(candidates: Iterable[tuple[Text | None, str]]) -> Enrollment:
    """The first of (field, ACTUAL/ESTIMATED) candidates that states a number, typed; without one, the
    first field given as it is written (``Enrollment.unread``: "not known yet" is an unreadable
    target size, not a missing one)."""
    unread = None
    for t, kind in candidates:
        if t is None:
            continue
        count = number(t.value, t.at, t.line)
        if count is not None:
            return Enrollment(count=count, type=Text(value=kind, at=t.at, line=t.line))
        unread = unread or t
    return Enrollment(unread=unread)


def enrollment_type(value: object, at: str, **where: int | None) -> Text | None:
    """ACTUAL or ESTIMATED; an unknown word is kept as given rather than dropped."""
    raw = clean(value)
    if raw is None:
        return None
    code = _ENROLLMENT_TYPES.get(raw.upper(), raw)
    return Text(value=code, at=at, original=None if code == raw else raw, **where)


def role(value: str) -> str:
    """One masked role in the API v2 vocabulary (unknown roles upper-cased, spaces to ``_``)."""
    key = value.strip().lower()
    return _ROLES.get(key, key.upper().replace(" ", "_"))


def who_masked(masking: Text | None) -> list[Text]:
    """Roles named in a masking statement: ``Double (Participant, Outcomes Assessor)``."""
    if masking is None:
        return []
    match = _PAREN.search(masking.value)
    if not match:
        return []
    # Only recognised roles: the bracket may also hold prose ("masking not used"), which stays in
    # the masking text itself.
    names = [n.strip() for n in match.group(1).split(",")]
    return [Text(value=_ROLES[n.lower()], at=masking.at, line=masking.line,
                 original=None if n == _ROLES[n.lower()] else n) for n in names if n.lower() in _ROLES]


def dated(start: Text | None, registered: Text | None, start_type: Text | None = None,
          registered_exact: str | None = None, completion: Text | None = None,
          last_update: Text | None = None) -> Dates:
    """Dates with parsed values; ``registered_exact`` is an unambiguous form to parse instead."""
    start_date, precision = dates.parse_iso(start.value) if start else (None, None)
    reg_source = registered_exact or (registered.value if registered else None)
    return Dates(start=start, start_type=start_type, registered=registered, start_parsed=start_date,
                 start_precision=precision,
                 registered_parsed=dates.parse_iso(reg_source)[0] if reg_source else None,
                 completion=completion, last_update=last_update,
                 last_update_parsed=dates.parse_any(last_update.value)[0] if last_update else None)


_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "1": "1", "2": "2", "3": "3", "4": "4"}
# One EU CTR phase answer ("Therapeutic exploratory (Phase II): yes"), as ICTRP copies E.7.
_EU_PHASE = re.compile(r"\(Phase\s+(I{1,3}|IV)\)\s*:\s*(yes|no)\b", re.I)
# "Phase 3", "PHASE3", "Phase III", "Phase 2/Phase 3", "Phase II/III", "Phase 1-2", "Early Phase 1", "Phase 0".
_PHASE = re.compile(r"^\s*(early\s+)?phase\s*(i{1,3}|iv|[0-4])(?:\s*[/,-]\s*(?:phase\s*)?(i{1,3}|iv|[1-4]))?\s*$", re.I)
# ICTRP's bare numbers ("4", "1-2": ChiCTR's, JPRN's and NL-OMON's phases as ICTRP exports them). Not
# ChiCTR's "0": its form offers phases 1-3, post-marketing (4), pilot, new-technique and retrospective
# studies, and "0" stands on 184 of its 476 records of the 2020 ICTRP export, observational and
# diagnostic ones among them - no sign of Phase 0 (kept as given).
_BARE_PHASE = re.compile(r"^\s*()([1-4])(?:\s*[/+-]\s*([1-4]))?\s*$")
_LABEL_PHASE = re.compile(r"^[^():]*\(Phase\s+(I{1,3}|IV)\)\s*$", re.I)  # CTIS: "Therapeutic exploratory (Phase II)"
_NO_PHASE = {"n/a", "na", "not applicable"}


def _phase_code(number: str) -> str:
    # ClinicalTrials.gov lists Phase 0 as Early Phase 1 ("Early Phase 1 (formerly listed as Phase 0)").
    return "EARLY_PHASE1" if number == "0" else f"PHASE{_ROMAN[number.lower()]}"


def phases(value: Text | None, bare_numbers: bool = False) -> list[Text]:
    """A phase field as ClinicalTrials.gov codes (PHASE1-PHASE4, EARLY_PHASE1, NA), the words kept as
    ``original``: an EU CTR E.7 answer block gives the phases answered yes; with ``bare_numbers``
    (a field whose numbers are phases, as ICTRP's), "4" is PHASE4 and "1-2" PHASE1 + PHASE2 (not so
    for CTIS, whose numbers are codes of its own list); a value in no known spelling ("Retrospective
    study", ChiCTR's "0") is kept as given."""
    if value is None:
        return []
    answers = _EU_PHASE.findall(value.value)
    if answers:
        return [Text(value=f"PHASE{_ROMAN[n.lower()]}", at=value.at, line=value.line, original=value.value)
                for n, said in answers if said.lower() == "yes"]
    if labelled := _LABEL_PHASE.match(value.value):
        return [Text(value=f"PHASE{_ROMAN[labelled.group(1).lower()]}", at=value.at, line=value.line,
                     original=value.value)]
    if value.value.strip().lower() in _NO_PHASE:
        return [Text(value="NA", at=value.at, line=value.line, original=value.value)]
    match = _PHASE.match(value.value) or (_BARE_PHASE.match(value.value) if bare_numbers else None)
    if match is None:
        return [value]
    early, first, second = match.groups()
    codes = ["EARLY_PHASE1" if early else _phase_code(first)]
    if second:
        codes.append(_phase_code(second))
    return [Text(value=c, at=value.at, line=value.line, original=None if c == value.value else value.value)
            for c in codes]


def split_list(value: str, separators: str = ";") -> list[str]:
    """Items of a ``;``-separated list, not splitting inside brackets; blank items skipped.

    Unbalanced brackets (common in hand-typed registry text) fall back to a plain split.
    """
    items: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(value):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch in separators and depth == 0:
            items.append(value[start:i])
            start = i + 1
    if depth:
        items = re.split(f"[{re.escape(separators)}]", value)
    else:
        items.append(value[start:])
    return [item.strip() for item in items if item.strip()]


def design_statement(design: Text | None) -> dict[str, Any]:
    """Allocation, masking (+ roles) and intervention model *stated* in a free-text design.

    ICTRP's Study_design and pre-2017 ClinicalTrials.gov ``<study_design>`` write the structured
    design as prose ("Allocation: Randomized. Intervention model: Parallel Assignment. Masking:
    Single (Outcomes Assessor)."; EU CTR copies: "Number of treatment arms in the trial: 2"). Only labelled values are taken, as written, pointing at the
    design text; what unlabelled prose says ("a randomised trial") is read by extract/design.py.
    """
    if design is None:
        return {}
    masking = _labelled(_MASKING, design)
    arms = _ARMS.search(design.value)
    return {"allocation": _allocation(design), "masking": masking, "who_masked": who_masked(masking),
            "intervention_model": _labelled(_MODEL, design),
            "arm_count": Number(value=float(arms.group(1)), at=design.at, line=design.line, text=arms.group(0))
            if arms else None}


def _labelled(pattern: re.Pattern[str], design: Text | None) -> Text | None:
    match = pattern.search(design.value) if design else None
    value = match.group(1).strip() if match else ""
    return Text(value=value, at=design.at, line=design.line) if value and design else None


def _allocation(design: Text | None) -> Text | None:
    if design is None:
        return None
    for pattern in _ALLOCATION:
        match = pattern.search(design.value)
        if match:
            phrase = (match.group(1) if match.groups() else match.group(0)).strip()
            if phrase:
                return Text(value=phrase, at=design.at, line=design.line)
    return None
