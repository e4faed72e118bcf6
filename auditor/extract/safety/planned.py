"""outcomes.safety.planned, from an outcome (a domain, a harms term, a named side effect that is
not what the trial treats) or from the record's prose (a stated safety aim or AE collection)."""

from __future__ import annotations

import re

from auditor.extract.safety.matching import anchored_words, harm_term, prose_first, valid_outcome
from auditor.extract.safety.patterns import NAMED, NAMED_STARTS, RELIEF
from auditor.extract.text import evidence
from auditor.facts import Evidence
from auditor.model import Outcome, Text, TrialRecord


def _treated(record: TrialRecord) -> str:
    """The record's conditions and keywords, lower-cased: a symptom named there is being treated."""
    return " ".join(t.value for t in (*record.conditions, *record.keywords)).lower()


def _named_effect(measure: Text, record: TrialRecord) -> re.Match[str] | None:
    """A named side effect counted in the outcome's measure ("Postoperative nausea and vomiting")."""
    m = valid_outcome(measure.value, anchored_words(NAMED, NAMED_STARTS, measure.value))
    if m is None or RELIEF.search(measure.value) or m.group(0).lower().rstrip("s") in _treated(record):
        return None
    return m


def harms_evidence(o: Outcome, record: TrialRecord) -> Evidence | None:
    if o.domain is not None and o.domain.value.lower() in ("safety", "harms", "adverse_events"):
        return Evidence.of(o.domain, note="safety outcome")
    for text in (o.measure, o.instrument, o.description):
        if text is not None and (hit := harm_term(text.value)):
            return evidence(text, hit.start(), hit.end(), "harms outcome registered", limit=120)
    if o.measure is not None and (hit := _named_effect(o.measure, record)):
        return evidence(o.measure, hit.start(), hit.end(), "named side effect registered", limit=120)
    return None


def prose_aim(record: TrialRecord) -> Evidence | None:
    """A stated safety aim or AE collection in the record's prose."""
    titles = [t for t in (record.title, record.official_title) if t is not None]
    for text in titles:
        if m := prose_first(text.value, "title"):
            return evidence(text, m.start(), m.end(), "safety named in the title")
    narrative = titles + [t for t in (record.summary, record.description) if t is not None]
    for text in narrative:
        if m := prose_first(text.value, "aim", "collection"):
            return evidence(text, m.start(), m.end(), "stated safety aim / AE collection")
    others = [t for a in record.arms for t in (a.description,) if t is not None]
    others += [t for iv in record.interventions for t in (iv.description,) if t is not None]
    for text in others:
        if m := prose_first(text.value, "collection"):
            return evidence(text, m.start(), m.end(), "AE collection stated")
    return None
