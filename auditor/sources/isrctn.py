"""ISRCTN records as ctrdata stores them: the ISRCTN API's ``<trial>`` XML turned into JSON.

ctrdata keeps ISRCTN's element names (``trialDescription``, ``participants``, ...); an element given
once is an object, repeated ones a list. ``at`` is a JSON pointer into the document.

| TrialRecord | ISRCTN field |
|---|---|
| trial_id | ``ISRCTN`` + isrctn |
| secondary_ids | externalRefs.{eudraCTNumber, clinicalTrialsGovNumber, irasNumber, protocolSerialNumber}, externalRefs.secondaryNumbers.secondaryNumber[] (normalised; "Nil known" dropped) |
| title, official_title, acronym | trialDescription.title, scientificTitle, acronym |
| status | participants.recruitmentStatusOverride (ISRCTN states a status only when it overrides the dates) |
| conditions | conditions.condition[].description |
| summary, description | trialDescription.plainEnglishSummary, studyHypothesis |
| eligibility | participants.inclusion and participants.exclusion, joined |
| design.study_type | trialDesign.primaryStudyDesign ("Interventional") |
| design.description | trialDesign.studyDesign and secondaryStudyDesign, one a line (prose: the extractors read it) |
| design.phases | interventions.intervention[].phase, as ClinicalTrials.gov codes (``fields.phases``: "Phase III" -> PHASE3, "Not Applicable" -> NA) |
| enrollment.count / type | participants.totalFinalEnrolment (ACTUAL), else targetEnrolment (ESTIMATED) |
| enrollment.unread | the first of them as written when neither gives a number ("To be confirmed") |
| interventions[] | interventions.intervention[]: drugNames (name), interventionType, description |
| outcomes[] | trialDescription.primaryOutcome / secondaryOutcome (older records: primaryOutcomes / secondaryOutcomes), split into items by :mod:`auditor.sources.outcome_text` |
| dates.start | participants.recruitmentStart |
| countries | participants.recruitmentCountries.country[] |
| results.posted | results.basicReport given (a results summary on the register); journal publications are not register results |

Not read: ethics approvals, centres, parties (sponsor/funder ids), IPD sharing, outputs
and attached files, overallEndDate and recruitmentEnd (TrialRecord has no end date). ctrdata's
document has no date of registration (ISRCTN's ``dateAssigned`` attribute), so registration timing is
unknown for these records.
"""

from __future__ import annotations

from typing import Any

from auditor.model import (
    Design,
    Enrollment,
    Intervention,
    Outcome,
    OutcomeKind,
    Results,
    SourceRef,
    Text,
    TrialRecord,
)
from auditor.sources import fields, ids, outcome_text
from auditor.sources.jsonmap import JsonMapper, dig

REGISTRY = "ISRCTN"


def listed(m: JsonMapper, *keys: str) -> list[JsonMapper]:
    """The mappers of a repeated element: a list, or the single object XML-to-JSON leaves for one."""
    value = dig(m.study, *keys)
    if isinstance(value, list):
        return [m.at(*keys, i) for i, item in enumerate(value) if isinstance(item, (dict, str))]
    return [m.at(*keys)] if isinstance(value, (dict, str)) else []


def to_record(doc: dict[str, Any], base: str, source: SourceRef) -> TrialRecord:
    m = JsonMapper(doc, base)
    number = ids.isrctn(str(doc.get("isrctn") or ""))
    if number is None:
        raise ValueError("no ISRCTN number (field isrctn)")
    td, p, design, refs = m.at("trialDescription"), m.at("participants"), m.at("trialDesign"), m.at("externalRefs")
    secondary = [refs.text(k) for k in ("eudraCTNumber", "clinicalTrialsGovNumber", "irasNumber", "protocolSerialNumber")]
    secondary += [s.text() for s in listed(refs, "secondaryNumbers", "secondaryNumber")]
    interventions = listed(m, "interventions", "intervention")
    return TrialRecord(
        source=source, registry=REGISTRY, trial_id=number,
        secondary_ids=ids.unique([t.value if t else None for t in secondary], exclude=number),
        title=td.text("title"), official_title=td.text("scientificTitle"), acronym=fields.clean(dig(td.study, "acronym")),
        status=p.text("recruitmentStatusOverride"),
        conditions=[t for c in listed(m, "conditions", "condition") if (t := c.text("description")) is not None],
        summary=td.text("plainEnglishSummary"), description=td.text("studyHypothesis"),
        eligibility=_joined(p.text("inclusion"), p.text("exclusion")),
        design=Design(study_type=design.text("primaryStudyDesign"),
                      description=_joined(design.text("studyDesign"), design.text("secondaryStudyDesign"), "\n"),
                      phases=[c for iv in interventions for c in fields.phases(iv.text("phase"))]),
        enrollment=_enrollment(p),
        interventions=[Intervention(name=iv.text("drugNames"), type=iv.text("interventionType"),
                                    description=iv.text("description")) for iv in interventions],
        outcomes=_outcomes(td, "primary") + _outcomes(td, "secondary"),
        dates=fields.dated(start=p.text("recruitmentStart"), registered=None),
        countries=p.texts("recruitmentCountries", "country") or [t for t in [p.text("recruitmentCountries", "country")] if t],
        results=Results(posted=True, posted_at=m.pointer("results", "basicReport"))
        if m.text("results", "basicReport") else Results(posted=False),
    )


def _joined(first: Text | None, second: Text | None, sep: str = "\n\n") -> Text | None:
    if first is None or second is None:
        return first or second
    return Text(value=f"{first.value}{sep}{second.value}", at=f"{first.at} | {second.at}")


def _enrollment(p: JsonMapper) -> Enrollment:
    return fields.stated_enrollment((p.text(key), kind) for key, kind in
                                    (("totalFinalEnrolment", "ACTUAL"), ("targetEnrolment", "ESTIMATED")))


def _outcomes(td: JsonMapper, kind: OutcomeKind) -> list[Outcome]:
    whole = td.text(f"{kind}Outcome") or td.text(f"{kind}Outcomes")
    return outcome_text.split(whole, kind) if whole is not None else []
