"""ClinicalTrials.gov API v2 JSON: one study, an API page ``{"studies": [...]}``, a JSON array, or a
history file of `fetch --history` (read as its latest version) or one version ``{"studyVersion", "study"}``.

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
| history | `FOLDER/.history/{nctId}.json` beside a fetch folder's pages (`fetch --history`): see `ctgov_history` |
| eligibility | eligibilityModule.eligibilityCriteria |
| results.* | resultsSection.outcomeMeasuresModule.outcomeMeasures[].title; adverseEventsModule.{timeFrame, description, eventGroups[], seriousEvents[], otherEvents[]} |

Dropped (no audit question depends on them): contacts/locations, sponsors, references, IPD
sharing, derivedSection, documentSection, annotationSection, miscInfoModule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from auditor.errors import InputError, RecordError
from auditor.model import (
    AdverseEventGroup,
    Arm,
    Design,
    Enrollment,
    Intervention,
    Results,
    SourceRef,
    Text,
    TrialRecord,
)
from auditor.sources import ctgov_history, fields
from auditor.sources.containers import Content
from auditor.sources.ctgov_history import study_outcomes
from auditor.sources.jsonmap import JsonMapper, dig, read_studies, study_digest

NAME = "ctgov-v2"
DESCRIPTION = "ClinicalTrials.gov API v2 JSON (single study, API page, or array of studies)"
STREAMS = True  # a large JSON array arrives as a containers.Spool, parsed study by study


_KEY = re.compile(rb'"protocolSection"\s*:')


def sniff(head: bytes, name: str) -> bool:
    start = head.lstrip()[:1]
    if start not in (b"{", b"["):
        return False
    # The key, not the word: the API's own metadata lists "protocolSection" as a field name.
    return _KEY.search(head) is not None


def read(data: Content, origin: str) -> Iterator[TrialRecord | RecordError]:
    direct: list[dict[str, Any]] = []  # a history file (`fetch --history`) read as input
    folder = ctgov_history.folder_of(origin)  # a fetch folder, whose .history/ may hold the versions

    def entries(doc: Any, origin: str) -> Iterator[tuple[str, Any]]:
        if ctgov_history.is_history(doc):
            direct.append(doc)
        return _studies(doc, origin)

    def build(study: Any, base: str, index: int) -> TrialRecord:
        record = _map(study, base, SourceRef(path=origin, format=NAME, index=index, digest=study_digest(study)))
        return ctgov_history.attach(record, folder, direct[0] if direct else None, origin)

    return read_studies(data, origin, entries, ("protocolSection",), ("protocolSection", "identificationModule", "nctId"),
                        "ClinicalTrials.gov v2 study", build)


def as_registered(record: TrialRecord) -> TrialRecord | RecordError:
    """The record as it stood when enrolment started: the version `fetch --history` kept as in
    force at the start, read from the history file (pointers `/at_start/study/...` into it), with
    the same history attached. A RecordError naming the record when there is no such version."""
    history, who = record.history, record.trial_id or f"record {record.source.index + 1}"
    if history is None:
        return RecordError(record.source.path, f"{who}: no version history beside this record (fetch it with "
                                               "`trial-audit fetch --history`)", index=record.source.index,
                           record_id=record.trial_id)
    doc = ctgov_history.load(Path(history.path)) if history.at_start is not None else None
    study = dig(doc, "at_start", "study")
    if not isinstance(study, dict):
        first = f"; the first version is v{history.first.version} of {history.first.date}" if history.first else ""
        return RecordError(record.source.path, f"{who}: no version was registered on or before the start "
                                               f"({history.start_date or 'unknown'}){first}",
                           index=record.source.index, record_id=record.trial_id)
    try:
        old = _map(study, "/at_start/study", SourceRef(path=history.path, format=NAME, digest=study_digest(study)))
    except (TypeError, ValueError, AttributeError) as exc:
        return RecordError(history.path, f"{who}: cannot map the version at the start: {exc}", where="/at_start/study",
                           record_id=record.trial_id)
    old.history = history
    return old


def _studies(doc: Any, origin: str) -> Iterator[tuple[str, Any]]:
    if ctgov_history.is_history(doc):
        yield "/latest/study", doc["latest"]["study"]
    elif isinstance(doc, dict) and isinstance(doc.get("studyVersion"), int) and isinstance(doc.get("study"), dict):
        yield "/study", doc["study"]  # one version as the internal endpoint answers it
    elif isinstance(doc, list):
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

    outcomes = study_outcomes(m)
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
        sponsor=m.text(P, "sponsorCollaboratorsModule", "leadSponsor", "name"),
        countries=_countries(m),
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
        dates=fields.dated(start=start, start_type=status.text("startDateStruct", "type"), registered=registered,
                           completion=status.text("completionDateStruct", "date")
                           or status.text("primaryCompletionDateStruct", "date"),
                           last_update=status.text("lastUpdatePostDateStruct", "date")
                           or status.text("lastUpdateSubmitDate")),
        results=_results(study, m),
    )


def _countries(m: JsonMapper) -> list[Text]:
    places = m.at(P, "contactsLocationsModule")
    found = [places.at("locations", i).text("country") for i, _ in places.items("locations")]
    return list({t.value: t for t in found if t is not None}.values())


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
