"""Safety facts: are harms planned, how and when are they collected; do posted results count them.

planned: a registered outcome about adverse events / side effects / complications / safety
(negation-aware), a protocol safety section, or a stated safety aim or AE collection in the
title/summary/description ("to evaluate the efficacy and safety", "adverse events will be recorded").

The vocabulary lives in rules/harms.yaml (docs/rules/harms.md); this package holds the mechanism:
one trigger-indexed pattern per rule kind, tried only where one of its rule words starts.

- `patterns`: the rule file compiled, with each pattern's first words;
- `matching`: where the rules match a text, and the checks a match must pass (`harm_term`);
- `planned`: the evidence that harms are planned, from an outcome or from the prose;
- here: derive() (planned, time frame, collection method), ae_results, the extractor contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.extract import timeframes
from auditor.extract.safety.matching import harm_term
from auditor.extract.safety.patterns import SPONTANEOUS, SYSTEMATIC
from auditor.extract.safety.planned import harms_evidence, prose_aim
from auditor.extract.text import evidence
from auditor.facts import Evidence, FactSheet
from auditor.model import Outcome, TrialRecord

__all__ = ["READS", "WRITES", "Safety", "ae_results", "derive", "extract", "harm_term"]


@dataclass
class Safety:
    planned: bool = False
    planned_evidence: list[Evidence] = field(default_factory=list)
    method: str | None = None
    method_evidence: list[Evidence] = field(default_factory=list)
    time_frame_stated: bool = False
    time_frame_evidence: list[Evidence] = field(default_factory=list)


def derive(record: TrialRecord) -> Safety:
    s = Safety()
    plan = record.safety
    for field_ in (plan.definition, plan.collection_method, plan.time_frame, plan.assessed_by):
        if field_ is not None:
            s.planned = True
            s.planned_evidence.append(Evidence.of(field_, note="protocol safety section"))
            break
    harm_outcomes = []
    for o in record.outcomes:
        ev = harms_evidence(o, record)
        if ev is not None:
            harm_outcomes.append(o)
            if len(s.planned_evidence) < 3:
                s.planned_evidence.append(ev)
            s.planned = True
    if not s.planned and (ev := prose_aim(record)) is not None:
        s.planned = True
        s.planned_evidence.append(ev)

    if plan.time_frame is not None:
        s.time_frame_stated = True
        s.time_frame_evidence.append(Evidence.of(plan.time_frame, note="AE collection time frame"))
    else:
        for o in harm_outcomes:
            if o.time_points or (o.time_frame is not None and timeframes.specific(o.time_frame.value)) or \
                    (o.time_frame is None and o.measure is not None and timeframes.named_times(o.measure.value)):
                s.time_frame_stated = True
                if o.time_frame is not None:
                    s.time_frame_evidence.append(Evidence.of(o.time_frame, note="time frame of the harms outcome"))
                break
    _method(s, record, harm_outcomes)
    return s


def _method(s: Safety, record: TrialRecord, harm_outcomes: list[Outcome]) -> None:
    """Systematic (asked at fixed times) and/or spontaneous (volunteered) AE collection."""
    plan = record.safety
    method_texts = [t for t in (plan.collection_method, plan.definition, plan.assessed_by) if t is not None]
    method_texts += [t for o in harm_outcomes for t in (o.description,) if t is not None]
    systematic = spontaneous = None
    for text in method_texts:
        systematic = systematic or ((text, match) if (match := SYSTEMATIC.search(text.value)) else None)
        spontaneous = spontaneous or ((text, match) if (match := SPONTANEOUS.search(text.value)) else None)
    if systematic and spontaneous:
        s.method = "both"
    elif systematic or spontaneous:
        s.method = "systematic" if systematic else "spontaneous"
    for found, label in ((systematic, "systematic"), (spontaneous, "spontaneous")):
        if found:
            s.method_evidence.append(evidence(found[0], found[1].start(), found[1].end(), f"{label} AE collection"))


def ae_results(record: TrialRecord) -> tuple[bool | None, list[Evidence]]:
    """Results carry AE counts for at least one group with participants at risk (None: no results)."""
    res = record.results
    if not res.posted:
        return None, []
    for g in res.adverse_event_groups:
        if g.at_risk is not None and g.at_risk.value > 0:
            return True, [Evidence.of(g.at_risk, note="adverse-event group with participants at risk")]
    for g in res.adverse_event_groups:  # counts without an at-risk number still are counts
        for n in (g.serious_affected, g.other_affected):
            if n is not None and n.value > 0:
                return True, [Evidence.of(n, note="participants affected by adverse events")]
    if res.adverse_events_description is not None:
        return False, [Evidence.of(res.adverse_events_description, quote=res.adverse_events_description.value[:160],
                                   note="results posted without adverse-event counts")]
    if res.flag_only:  # the copy says results exist but holds none of them: unknown, not "none"
        return None, []
    return False, []


WRITES = ("outcomes.safety.planned", "outcomes.safety.collection_method", "outcomes.safety.time_frame_stated",
          "results.adverse_events_reported")
READS: tuple[str, ...] = ()


def extract(record: TrialRecord, sheet: FactSheet) -> None:
    s = derive(record)
    sheet.set("outcomes.safety.planned", s.planned, s.planned_evidence)
    sheet.set("outcomes.safety.collection_method", s.method, s.method_evidence)
    sheet.set("outcomes.safety.time_frame_stated", s.time_frame_stated, s.time_frame_evidence)
    sheet.set("results.adverse_events_reported", *ae_results(record))
