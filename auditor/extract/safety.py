"""Safety facts: are harms planned, how and when are they collected; do posted results count them.

planned: a registered outcome about adverse events / side effects / complications / safety
(negation-aware), a protocol safety section, or a stated safety aim or AE collection in the
title/summary/description ("to evaluate the efficacy and safety", "adverse events will be recorded").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.extract import instruments, timeframes
from auditor.extract.text import Guarded, compile_fast, evidence
from auditor.facts import Evidence, FactSheet
from auditor.model import TrialRecord

_AIM = Guarded(compile_fast(r"\b(?:efficacy|effectiveness|effect)\s+and\s+safety|\bsafety\s+and\s+(?:efficacy|effectiveness|"
                  r"tolerability|feasibility)|\b(?:evaluate|assess|determine|demonstrate|investigate|examine|"
                  r"establish|compare|monitor|test|explore)\s+(?:the\s+)?(?:\w+\s+){0,2}?(?:safety(?<!psychological safety)|"
                  r"adverse\s+events?|"
                  r"side[\s-]effects?|complications?|harms)\b|\b(?:adverse\s+events?|AEs|side[\s-]effects?|"
                  r"complications?|harms)\s+(?:will|would|are|were|shall)\s+(?:be\s+)?(?:recorded|collected|"
                  r"monitored|documented|reported|assessed|registered|noted|captured|tracked)", re.I),
               "safety", "adverse", "complication", "harms", "aes", r"side[\s-]effect")
_SYSTEMATIC = compile_fast(r"\bsystematic|\bstructured\s+(?:questionnaire|interview|checklist)|\bchecklist|"
                         r"\bat\s+(?:each|every)\s+(?:visit|session|follow-?up)|\bactively\s+(?:ask|quer|solicit)|"
                         r"\bsolicited|\bquestionnaire", re.I)
_SPONTANEOUS = compile_fast(r"\bspontaneous|\bunsolicited|\bself-?reported\s+by|\breported\s+by\s+(?:the\s+)?"
                          r"(?:participant|patient|subject)s?|\bvoluntar", re.I)


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
        is_harm = o.domain is not None and o.domain.value.lower() in ("safety", "harms", "adverse_events")
        ev = Evidence.of(o.domain, note="safety outcome") if is_harm and o.domain else None
        for text in (o.measure, o.instrument, o.description if not is_harm else None):
            if ev is None and text is not None and (hit := instruments.harms(text.value)):
                ev = evidence(text, hit.start, hit.end, "harms outcome registered", limit=120)
        if ev is not None:
            harm_outcomes.append(o)
            if not s.planned_evidence or len(s.planned_evidence) < 3:
                s.planned_evidence.append(ev)
            s.planned = True
    if not s.planned:
        for text in (record.title, record.official_title, record.summary, record.description):
            if text is None:
                continue
            for m in _AIM.finditer(text.value):
                if not instruments.negated(text.value, m.start(), m.end()):
                    s.planned = True
                    s.planned_evidence.append(evidence(text, m.start(), m.end(), "stated safety aim / AE collection"))
                    break
            if s.planned:
                break

    if plan.time_frame is not None:
        s.time_frame_stated = True
        s.time_frame_evidence.append(Evidence.of(plan.time_frame, note="AE collection time frame"))
    else:
        for o in harm_outcomes:
            if o.time_points or (o.time_frame is not None and timeframes.specific(o.time_frame.value)):
                s.time_frame_stated = True
                if o.time_frame is not None:
                    s.time_frame_evidence.append(Evidence.of(o.time_frame, note="time frame of the harms outcome"))
                break

    method_texts = [t for t in (plan.collection_method, plan.definition, plan.assessed_by) if t is not None]
    method_texts += [t for o in harm_outcomes for t in (o.description,) if t is not None]
    systematic = spontaneous = None
    for text in method_texts:
        systematic = systematic or ((text, match) if (match := _SYSTEMATIC.search(text.value)) else None)
        spontaneous = spontaneous or ((text, match) if (match := _SPONTANEOUS.search(text.value)) else None)
    if systematic and spontaneous:
        s.method = "both"
    elif systematic or spontaneous:
        s.method = "systematic" if systematic else "spontaneous"
    for found, label in ((systematic, "systematic"), (spontaneous, "spontaneous")):
        if found:
            s.method_evidence.append(evidence(found[0], found[1].start(), found[1].end(), f"{label} AE collection"))
    return s


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
