"""ClinicalTrials.gov API v2 JSON: one study, an API page ``{"studies": [...]}``, or a JSON array.

Field mapping (official data model, `specs/ctg-oas-v2_2.0.5.yaml`):

| TrialRecord | API v2 (under ``protocolSection`` unless stated) |
|---|---|
| trial_id, acronym, title, official_title | identificationModule.nctId / acronym / briefTitle / officialTitle |
| secondary_ids | identificationModule.orgStudyIdInfo.id, secondaryIdInfos[].id |
| status | statusModule.overallStatus |
| dates.start (+type), dates.registered | statusModule.startDateStruct.{date,type}; studyFirstSubmitDate |
| conditions, keywords | conditionsModule.conditions[] / keywords[] |
| summary, description | descriptionModule.briefSummary / detailedDescription |
| design.* | designModule.studyType, phases[], designInfo.{allocation, interventionModel, maskingInfo.{masking, whoMasked[]}} |
| enrollment.count / type | designModule.enrollmentInfo.count / type (ACTUAL, ESTIMATED) |
| arms[] | armsInterventionsModule.armGroups[].{label, type, description, interventionNames[]} |
| interventions[] | armsInterventionsModule.interventions[].{type, name, description, armGroupLabels[], otherNames[]} |
| outcomes[] | outcomesModule.{primary,secondary,other}Outcomes[].{measure, description, timeFrame} |
| eligibility | eligibilityModule.eligibilityCriteria |
| results.* | resultsSection.outcomeMeasuresModule.outcomeMeasures[].title; adverseEventsModule.{timeFrame, description, eventGroups[], seriousEvents[], otherEvents[]} |

Dropped (no audit question depends on them): contacts/locations, sponsors, references, IPD
sharing, derivedSection, documentSection, annotationSection, miscInfoModule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from auditor.errors import InputError, RecordError
from auditor.model import (
    AdverseEventGroup,
    Arm,
    Dates,
    Design,
    Enrollment,
    Intervention,
    Outcome,
    OutcomeKind,
    Results,
    SourceRef,
    TrialRecord,
)
from auditor.sources import dates
from auditor.sources.jsonmap import JsonMapper, dig, read_studies, study_digest

NAME = "ctgov-v2"
DESCRIPTION = "ClinicalTrials.gov API v2 JSON (single study, API page, or array of studies)"


_KEY = re.compile(rb'"protocolSection"\s*:')


def sniff(head: bytes, name: str) -> bool:
    start = head.lstrip()[:1]
    if start not in (b"{", b"["):
        return False
    # The key, not the word: the API's own metadata lists "protocolSection" as a field name.
    return _KEY.search(head) is not None


def read(data: bytes, origin: str) -> Iterator[TrialRecord | RecordError]:
    return read_studies(data, origin, _studies, ("protocolSection",), ("protocolSection", "identificationModule", "nctId"),
                        "ClinicalTrials.gov v2 study",
                        lambda study, base, index: _map(study, base, SourceRef(path=origin, format=NAME, index=index,
                                                                              digest=study_digest(study))))


def _studies(doc: Any, origin: str) -> Iterator[tuple[str, Any]]:
    if isinstance(doc, list):
        for i, study in enumerate(doc):
            yield f"/{i}", study
    elif isinstance(doc, dict) and "protocolSection" in doc:
        yield "", doc
    elif isinstance(doc, dict) and isinstance(doc.get("studies"), list):
        for i, study in enumerate(doc["studies"]):
            yield f"/studies/{i}", study
    else:
        raise InputError(origin, "JSON is neither a ClinicalTrials.gov v2 study, an API page nor an array of studies")


P = "protocolSection"


def map_study(study: dict[str, Any], base: str, source: SourceRef) -> TrialRecord:
    """Map one API v2 study object found anywhere (a file, an API page, a ctrdata database row)."""
    return _map(study, base, source)


def _map(study: dict[str, Any], base: str, source: SourceRef) -> TrialRecord:
    m = JsonMapper(study, base)
    ident, status, design = m.at(P, "identificationModule"), m.at(P, "statusModule"), m.at(P, "designModule")
    info, arms_mod = design.at("designInfo"), m.at(P, "armsInterventionsModule")

    secondary = [ident.text("orgStudyIdInfo", "id")] + [
        ident.text("secondaryIdInfos", i, "id") for i, _ in ident.items("secondaryIdInfos")]

    start = status.text("startDateStruct", "date")
    registered = status.text("studyFirstSubmitDate")
    start_date, precision = dates.parse_iso(start.value) if start else (None, None)

    outcomes = []
    outcome_lists: tuple[tuple[OutcomeKind, str], ...] = (
        ("primary", "primaryOutcomes"), ("secondary", "secondaryOutcomes"), ("other", "otherOutcomes"))
    outcomes_mod = m.at(P, "outcomesModule")
    for kind, key in outcome_lists:
        for i, _ in outcomes_mod.items(key):
            o = outcomes_mod.at(key, i)
            outcomes.append(Outcome(kind=kind, measure=o.text("measure"), description=o.text("description"),
                                    time_frame=o.text("timeFrame")))
    arms = [arms_mod.at("armGroups", i) for i, _ in arms_mod.items("armGroups")]
    interventions = [arms_mod.at("interventions", i) for i, _ in arms_mod.items("interventions")]

    return TrialRecord(
        source=source,
        registry="ClinicalTrials.gov",
        trial_id=dig(ident.study, "nctId"),
        secondary_ids=[t.value for t in secondary if t is not None],
        title=ident.text("briefTitle"),
        official_title=ident.text("officialTitle"),
        acronym=dig(ident.study, "acronym"),
        status=status.text("overallStatus"),
        conditions=m.texts(P, "conditionsModule", "conditions"),
        keywords=m.texts(P, "conditionsModule", "keywords"),
        summary=m.text(P, "descriptionModule", "briefSummary"),
        description=m.text(P, "descriptionModule", "detailedDescription"),
        eligibility=m.text(P, "eligibilityModule", "eligibilityCriteria"),
        design=Design(
            study_type=design.text("studyType"),
            allocation=info.text("allocation"),
            intervention_model=info.text("interventionModel"),
            masking=info.text("maskingInfo", "masking"),
            who_masked=info.texts("maskingInfo", "whoMasked"),
            phases=design.texts("phases"),
        ),
        enrollment=Enrollment(count=design.number("enrollmentInfo", "count"),
                              type=design.text("enrollmentInfo", "type")),
        arms=[Arm(label=a.text("label"), type=a.text("type"), description=a.text("description"),
                  intervention_names=a.texts("interventionNames")) for a in arms],
        interventions=[Intervention(name=iv.text("name"), type=iv.text("type"), description=iv.text("description"),
                                    arm_labels=iv.texts("armGroupLabels"), other_names=iv.texts("otherNames"))
                       for iv in interventions],
        outcomes=outcomes,
        dates=Dates(start=start, start_type=status.text("startDateStruct", "type"), registered=registered,
                    start_parsed=start_date, start_precision=precision,
                    registered_parsed=dates.parse_iso(registered.value)[0] if registered else None),
        results=_results(study, m),
    )


def _results(study: dict[str, Any], m: JsonMapper) -> Results:
    section = study.get("resultsSection")
    if not isinstance(section, dict) or not section:
        return Results(posted=False)
    ae = ("resultsSection", "adverseEventsModule")
    groups = [AdverseEventGroup(title=m.text(*ae, "eventGroups", i, "title"),
                                serious_affected=m.number(*ae, "eventGroups", i, "seriousNumAffected"),
                                other_affected=m.number(*ae, "eventGroups", i, "otherNumAffected"),
                                at_risk=m.number(*ae, "eventGroups", i, "seriousNumAtRisk")
                                or m.number(*ae, "eventGroups", i, "otherNumAtRisk"))
              for i, _ in m.items(*ae, "eventGroups")]
    terms = len(m.items(*ae, "seriousEvents")) + len(m.items(*ae, "otherEvents"))
    return Results(
        posted=True,
        posted_at=m.pointer("resultsSection"),
        outcome_titles=[t for i, _ in m.items("resultsSection", "outcomeMeasuresModule", "outcomeMeasures")
                        if (t := m.text("resultsSection", "outcomeMeasuresModule", "outcomeMeasures", i, "title"))],
        adverse_event_groups=groups,
        adverse_events_time_frame=m.text(*ae, "timeFrame"),
        adverse_events_description=m.text(*ae, "description"),
        adverse_event_terms=terms,
    )
