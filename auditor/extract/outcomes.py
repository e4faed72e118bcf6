"""Outcome facts: count, HRQoL instruments (and their time points), pain and function measures.

Instruments are matched in each registered outcome's measure, description and (protocol files)
instrument; a protocol outcome's `domain` also decides pain / function / hrqol. Only registered
outcomes count - an instrument named in the detailed description alone is not a registered outcome.
"""

from __future__ import annotations

import re

from auditor.extract import followup, instruments, rules
from auditor.extract.text import compile_fast, evidence
from auditor.facts import Evidence, FactSheet
from auditor.model import Outcome, Text, TrialRecord

_DOMAIN = {"hrqol": "hrqol", "quality_of_life": "hrqol", "pain": "pain", "pain_intensity": "pain",
           "function": "function", "physical_function": "function", "disability": "function"}


# In a description, an instrument named as a comparison is not the one measured: "highly correlated
# with well-known outcomes such as ... and the SF-36" (rules/instrument_mentions.yaml).
_MENTIONS = rules.load("instrument_mentions")
_COMPARISON = compile_fast(
    rf"(?<![a-z]){rules.alternation(_MENTIONS['comparison_cues'])}"
    rf"|(?<![a-z]){rules.alternation(_MENTIONS['derived_nouns'])}\s*(?:\(\s*)?(?:(?:is|are|was|were)\s+)?"
    rf"{rules.alternation(_MENTIONS['derived_cues'])}", re.I)
_SENTENCE_END = re.compile(r"(?<=[A-Za-z0-9)])\.\s")  # "... of the SF-36. The SF-36 ..." ends a sentence too
_CATEGORIES = ("hrqol", "pain", "function")
# Which outcome's mention an instrument's evidence quotes: a primary outcome over a secondary one.
_RANK = {"primary": 0, "secondary": 1, "other": 2}


def _compared(text: str, start: int) -> bool:
    """The mention at `start` follows a comparison cue in its sentence."""
    head = text[max(0, start - 300):start]
    sentence = _SENTENCE_END.split(head)[-1]
    return bool(_COMPARISON.search(sentence))


Found = tuple[str, Text, instruments.Hit]


def _hits(outcome: Outcome, category: str) -> list[Found]:
    """(name, text, hit) per instrument of `category` named in the outcome (see `_outcome_hits`)."""
    return _outcome_hits(outcome, (category,)).get(category, [])


def _outcome_hits(outcome: Outcome, categories: tuple[str, ...] = _CATEGORIES) -> dict[str, list[Found]]:
    """Per category, (name, text, hit) per instrument named in the outcome: its first mention that
    is not a comparison (a later mention of the same instrument in its own right counts). Each
    text is scanned once for all the categories."""
    found: dict[str, list[Found]] = {}
    seen: set[tuple[str, str]] = set()
    for text in (outcome.instrument, outcome.measure, outcome.description):
        if text is None:
            continue
        for category, hits in instruments.scan(text.value, categories).items():
            for hit in hits:
                if (category, hit.name) in seen or (text is outcome.description and _compared(text.value, hit.start)):
                    continue
                seen.add((category, hit.name))
                found.setdefault(category, []).append((hit.name, text, hit))
    return found


def _evidence(text: Text, hit: instruments.Hit, category: str) -> Evidence:
    return evidence(text, hit.start, hit.end, f"{hit.name} ({category})", limit=100)


def derive(record: TrialRecord, sheet: FactSheet, duration: float | None) -> None:
    sheet.set("outcomes.count", len(record.outcomes))
    hrqol_outcomes: list[Outcome] = []
    # name -> (rank of the outcome quoted, evidence); names keep the order they first appear in
    names: dict[str, dict[str, tuple[int, Evidence]]] = {c: {} for c in _CATEGORIES}
    measured: dict[str, list[Evidence]] = {"pain": [], "function": []}
    for o in record.outcomes:
        domain = _DOMAIN.get(o.domain.value.strip().lower()) if o.domain is not None else None
        rank = _RANK.get(o.kind, 2)
        found = _outcome_hits(o)
        for category in _CATEGORIES:
            hits = found.get(category, [])
            first: Evidence | None = None  # the first hit's evidence, shared when it is kept
            for i, (name, text, hit) in enumerate(hits):
                kept = names[category].get(name)
                if kept is None or rank < kept[0]:
                    names[category][name] = (rank, ev := _evidence(text, hit, category))
                    if i == 0:
                        first = ev
            if category == "hrqol" and (hits or domain == "hrqol"):
                hrqol_outcomes.append(o)
            if category in measured and (hits or domain == category) and not measured[category]:
                if hits:
                    measured[category].append(first or _evidence(hits[0][1], hits[0][2], category))
                elif o.domain is not None:  # no hit: the protocol's domain named the category
                    measured[category].append(Evidence.of(o.domain, note=f"{category} outcome"))
    # Keep the most specific EQ-5D version across outcomes too ("EQ-5D-5L" in one, "EQ-5D" in another).
    hrqol = names["hrqol"]
    drop = {s for e in instruments.LEXICON["hrqol"] if e.name in hrqol for s in e.subsumes}
    hrqol = {k: v for k, v in hrqol.items() if k not in drop}
    sheet.set("outcomes.hrqol.instruments", list(hrqol), [ev for _, ev in hrqol.values()])
    fu = followup.compute(hrqol_outcomes, duration)
    sheet.set("outcomes.hrqol.max_weeks_from_baseline", fu.max_from_baseline, fu.max_evidence)
    used = sheet.evidence.get("treatment.duration_weeks", [])[:1] if fu.from_duration else []
    sheet.set("outcomes.hrqol.weeks_after_treatment", fu.after_treatment, fu.after_evidence + used)
    for category in ("pain", "function"):
        listed = {k: ev for k, (_, ev) in names[category].items() if "(unspecified)" not in k}
        sheet.set(f"outcomes.{category}.measured", bool(measured[category]), measured[category])
        sheet.set(f"outcomes.{category}.instruments", list(listed), list(listed.values()))


def hrqol_results(record: TrialRecord) -> tuple[bool | None, list[Evidence]]:
    """Posted results include an HRQoL outcome (None without results): a results title that names an
    HRQoL instrument, or that is the title of a registered outcome measured with one ("Change in
    Quality of Life (PCS)" registered with an SF-12 description)."""
    if not record.results.posted or record.results.flag_only:  # flag only: the results are not in the copy
        return None, []
    registered = {o.measure.value.strip().lower() for o in record.outcomes
                  if o.measure is not None and _hits(o, "hrqol")}
    for title in record.results.outcome_titles:
        hits = instruments.find("hrqol", title.value)
        if hits:
            h = hits[0]
            return True, [evidence(title, h.start, h.end, f"{h.name} results posted")]
        if title.value.strip().lower() in registered:
            return True, [Evidence.of(title, note="results posted for a registered HRQoL outcome")]
    return False, []


WRITES = ("outcomes.count", "outcomes.hrqol.instruments", "outcomes.hrqol.max_weeks_from_baseline",
          "outcomes.hrqol.weeks_after_treatment", "outcomes.pain.measured", "outcomes.pain.instruments",
          "outcomes.function.measured", "outcomes.function.instruments", "results.hrqol_reported")
READS = ("treatment.duration_weeks",)


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    derive(record, sheet, sheet.get("treatment.duration_weeks"))
    sheet.set("results.hrqol_reported", *hrqol_results(record))
