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
    Number,
    Results,
    SourceRef,
    Text,
    TrialRecord,
    checked,
)
from auditor.sources import ctgov_history, fields, first_byte
from auditor.sources.ctgov_history import outcomes_of
from auditor.sources.jsonmap import dig, number_of, plain, read_studies, study_digest, text_of
from auditor.sources.spool import Content

NAME = "ctgov-v2"
DESCRIPTION = "ClinicalTrials.gov API v2 JSON (single study, API page, or array of studies)"
STREAMS = True  # a large JSON array arrives as a spool.Spool, parsed study by study


_KEY = re.compile(rb'"protocolSection"\s*:')


def sniff(head: bytes, name: str) -> bool:
    start = first_byte(head)
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

    def mapped(study: Any, base: str, index: int) -> TrialRecord:
        record = _map(study, base, SourceRef(path=origin, format=NAME, index=index, digest=study_digest(study)))
        return ctgov_history.attach(record, folder, direct[0] if direct else None, origin)

    return read_studies(data, origin, entries, ("protocolSection",), ("protocolSection", "identificationModule", "nctId"),
                        "ClinicalTrials.gov v2 study", mapped)


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


# The mapping reads each module once and builds its models (which check no value): every value it
# passes is a Text or Number of jsonmap's making, a list of them, a str or a date. The two values
# taken as the source has them (nctId, acronym) are checked (model.checked) whenever they are not
# text, which rejects them.


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else None


def _text(obj: Any, key: str, at: str) -> Text | None:
    """`JsonMapper(obj, at).text(key)`."""
    if not isinstance(obj, dict):
        return None
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is str:
        return Text(value=value, at=f"{at}/{key}") if value and not value.isspace() else None
    return text_of(value, f"{at}/{key}")


def _texts(obj: Any, key: str, at: str) -> list[Text]:
    """`JsonMapper(obj, at).texts(key)`."""
    items = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(items, list):
        return []
    where, found = f"{at}/{key}", []
    for i, value in enumerate(items):
        if type(value) is str:  # the common case of text_of
            if value and not value.isspace():
                found.append(Text(value=value, at=f"{where}/{i}"))
        elif (t := text_of(value, f"{where}/{i}")) is not None:
            found.append(t)
    return found


def _number(obj: Any, key: str, at: str) -> Number | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    return None if value is None or isinstance(value, bool) else number_of(value, f"{at}/{key}")


def _items(obj: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """`JsonMapper(obj, at).items(key)`: the objects of a list, with their positions."""
    items = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _map(study: dict[str, Any], base: str, source: SourceRef) -> TrialRecord:
    proto, pb = _get(study, P), f"{base}/{P}"
    ident, ib = _get(proto, "identificationModule"), f"{pb}/identificationModule"
    status, sb = _get(proto, "statusModule"), f"{pb}/statusModule"
    design, db = _get(proto, "designModule"), f"{pb}/designModule"
    info, infob = _get(design, "designInfo"), f"{db}/designInfo"
    masking, mb = _get(info, "maskingInfo"), f"{infob}/maskingInfo"
    enrollment, eb = _get(design, "enrollmentInfo"), f"{db}/enrollmentInfo"
    arms_mod, ab = _get(proto, "armsInterventionsModule"), f"{pb}/armsInterventionsModule"
    conditions, cb = _get(proto, "conditionsModule"), f"{pb}/conditionsModule"
    about, dsb = _get(proto, "descriptionModule"), f"{pb}/descriptionModule"

    secondary = [plain(_get(_get(ident, "orgStudyIdInfo"), "id"))] + [
        plain(item.get("id")) for _, item in _items(ident, "secondaryIdInfos")]

    def dated(key: str) -> Text | None:
        return _text(_get(status, key), "date", f"{sb}/{key}")

    trial_id, acronym = _get(ident, "nctId"), _get(ident, "acronym")
    text_ids = all(v is None or isinstance(v, str) for v in (trial_id, acronym))
    record = TrialRecord(
        source=source,
        registry="ClinicalTrials.gov",
        trial_id=trial_id,
        secondary_ids=[s for s in secondary if s is not None],
        title=_text(ident, "briefTitle", ib),
        official_title=_text(ident, "officialTitle", ib),
        acronym=acronym,
        status=_text(status, "overallStatus", sb),
        sponsor=_text(_get(_get(proto, "sponsorCollaboratorsModule"), "leadSponsor"), "name",
                      f"{pb}/sponsorCollaboratorsModule/leadSponsor"),
        countries=_countries(proto, pb),
        conditions=_texts(conditions, "conditions", cb),
        keywords=_texts(conditions, "keywords", cb),
        summary=_text(about, "briefSummary", dsb),
        description=_text(about, "detailedDescription", dsb),
        eligibility=_text(_get(proto, "eligibilityModule"), "eligibilityCriteria", f"{pb}/eligibilityModule"),
        design=Design(study_type=_text(design, "studyType", db),
                      allocation=_text(info, "allocation", infob),
                      intervention_model=_text(info, "interventionModel", infob),
                      masking=_text(masking, "masking", mb),
                      who_masked=_texts(masking, "whoMasked", mb),
                      phases=_texts(design, "phases", db)),
        enrollment=Enrollment(count=_number(enrollment, "count", eb), type=_text(enrollment, "type", eb)),
        arms=[_arm(a, f"{ab}/armGroups/{i}") for i, a in _items(arms_mod, "armGroups")],
        interventions=[_intervention(iv, f"{ab}/interventions/{i}") for i, iv in _items(arms_mod, "interventions")],
        outcomes=outcomes_of(_get(proto, "outcomesModule"), f"{pb}/outcomesModule"),
        dates=fields.dated(start=dated("startDateStruct"), start_type=_text(_get(status, "startDateStruct"), "type",
                                                                             f"{sb}/startDateStruct"),
                           registered=_text(status, "studyFirstSubmitDate", sb),
                           completion=dated("completionDateStruct") or dated("primaryCompletionDateStruct"),
                           last_update=dated("lastUpdatePostDateStruct") or _text(status, "lastUpdateSubmitDate", sb)),
        results=_results(study, base),
    )
    return record if text_ids else checked(record)  # not text: rejected


def _arm(a: dict[str, Any], at: str) -> Arm:
    return Arm(label=_text(a, "label", at), type=_text(a, "type", at), description=_text(a, "description", at),
               intervention_names=_texts(a, "interventionNames", at))


def _intervention(iv: dict[str, Any], at: str) -> Intervention:
    return Intervention(name=_text(iv, "name", at), type=_text(iv, "type", at),
                        description=_text(iv, "description", at), arm_labels=_texts(iv, "armGroupLabels", at),
                        other_names=_texts(iv, "otherNames", at))


def _group(g: dict[str, Any], at: str) -> AdverseEventGroup:
    return AdverseEventGroup(title=_text(g, "title", at), serious_affected=_number(g, "seriousNumAffected", at),
                             other_affected=_number(g, "otherNumAffected", at),
                             at_risk=_number(g, "seriousNumAtRisk", at) or _number(g, "otherNumAtRisk", at))


def _countries(proto: Any, pb: str) -> list[Text]:
    places, at = _get(proto, "contactsLocationsModule"), f"{pb}/contactsLocationsModule/locations"
    found = [_text(loc, "country", f"{at}/{i}") for i, loc in _items(places, "locations")]
    return list({t.value: t for t in found if t is not None}.values())


def _results(study: dict[str, Any], base: str) -> Results:
    section = study.get("resultsSection")
    if not isinstance(section, dict) or not section:
        return Results(posted=False)
    ae, aeb = section.get("adverseEventsModule"), f"{base}/resultsSection/adverseEventsModule"
    groups = [_group(g, f"{aeb}/eventGroups/{i}") for i, g in _items(ae, "eventGroups")]
    terms = len(_items(ae, "seriousEvents")) + len(_items(ae, "otherEvents"))
    measures = f"{base}/resultsSection/outcomeMeasuresModule/outcomeMeasures"
    return Results(
        posted=True,
        posted_at=f"{base}/resultsSection",
        outcome_titles=[t for i, o in _items(section.get("outcomeMeasuresModule"), "outcomeMeasures")
                        if (t := _text(o, "title", f"{measures}/{i}"))],
        adverse_event_groups=groups,
        adverse_events_time_frame=_text(ae, "timeFrame", aeb),
        adverse_events_description=_text(ae, "description", aeb),
        adverse_event_terms=terms,
    )
