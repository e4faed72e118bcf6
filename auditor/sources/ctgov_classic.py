"""Classic ClinicalTrials.gov API JSON (``FullStudiesResponse``; the API was retired in 2024).

The classic API spelled the legacy XML names in CamelCase and wrapped every list in an object
(``ConditionList.Condition[]``). Accepted: a ``{"FullStudiesResponse": {"FullStudies": [...]}}`` page,
one ``{"Study": ...}`` object, or a JSON array of either entries. Values are strings ("168"); the
vocabulary is the legacy one ("Anticipated", "Outcomes Assessor"), normalised like the legacy XML.
``at`` is a JSON pointer (``/FullStudiesResponse/FullStudies/0/Study/ProtocolSection/...``).

| TrialRecord | classic JSON (under ``Study.ProtocolSection`` unless stated) |
|---|---|
| trial_id, acronym, title, official_title | IdentificationModule.NCTId / Acronym / BriefTitle / OfficialTitle |
| secondary_ids | IdentificationModule.OrgStudyIdInfo.OrgStudyId, SecondaryIdInfoList.SecondaryIdInfo[].SecondaryId |
| status | StatusModule.OverallStatus |
| dates.start / start_type, dates.registered | StatusModule.StartDateStruct.{StartDate, StartDateType}; StudyFirstSubmitDate |
| conditions, keywords | ConditionsModule.ConditionList.Condition[], KeywordList.Keyword[] |
| summary, description | DescriptionModule.BriefSummary / DetailedDescription |
| design.study_type, phases | DesignModule.StudyType, PhaseList.Phase[] as API v2 codes (``fields.phases``: "Phase 2" -> PHASE2, "Not Applicable" -> NA) |
| design.allocation, intervention_model | DesignInfo.DesignAllocation, DesignInterventionModel (text as given) |
| design.masking / who_masked | DesignInfo.DesignMaskingInfo.DesignMasking / DesignWhoMaskedList.DesignWhoMasked[] (API v2 role names) |
| enrollment.count / type | DesignModule.EnrollmentInfo.EnrollmentCount / EnrollmentType (Anticipated -> ESTIMATED) |
| arms[] | ArmsInterventionsModule.ArmGroupList.ArmGroup[].{ArmGroupLabel, ArmGroupType, ArmGroupDescription, ArmGroupInterventionList.ArmGroupInterventionName[]} |
| interventions[] | ArmsInterventionsModule.InterventionList.Intervention[].{InterventionType, InterventionName, InterventionDescription, InterventionArmGroupLabelList..., InterventionOtherNameList...} |
| outcomes[] | OutcomesModule.{Primary,Secondary,Other}OutcomeList.*Outcome[].*Outcome{Measure, Description, TimeFrame} |
| eligibility | EligibilityModule.EligibilityCriteria |
| results.outcome_titles | Study.ResultsSection.OutcomeMeasuresModule.OutcomeMeasureList.OutcomeMeasure[].OutcomeMeasureTitle |
| results.adverse_event_groups | ResultsSection.AdverseEventsModule.EventGroupList.EventGroup[].{EventGroupTitle, EventGroupSeriousNumAffected, EventGroupOtherNumAffected, EventGroupSeriousNumAtRisk or EventGroupOtherNumAtRisk} |
| results.adverse_event_terms | len(SeriousEventList.SeriousEvent) + len(OtherEventList.OtherEvent) |
| results.adverse_events_time_frame / description | AdverseEventsModule.EventsTimeFrame / EventsDescription |

Dropped, as for API v2: sponsors, oversight, contacts/locations, references, IPD sharing,
DerivedSection (MeSH browse), DocumentSection, MiscInfoModule, the response's paging fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, cast

from auditor.errors import InputError, RecordError
from auditor.model import (
    AdverseEventGroup,
    Arm,
    Design,
    Enrollment,
    Intervention,
    Outcome,
    OutcomeKind,
    Results,
    SourceRef,
    Text,
    TrialRecord,
    checked,
)
from auditor.sources import fields
from auditor.sources.jsonmap import JsonMapper, dig, read_studies, study_digest
from auditor.sources.spool import Content

NAME = "ctgov-classic"
DESCRIPTION = "classic ClinicalTrials.gov API JSON (FullStudiesResponse, retired 2024)"
STREAMS = True  # a large JSON array arrives as a spool.Spool, parsed study by study

P = ("Study", "ProtocolSection")


_KEY = re.compile(rb'"(?:FullStudiesResponse|ProtocolSection)"\s*:')


def sniff(head: bytes, name: str) -> bool:
    if head.lstrip()[:1] not in (b"{", b"["):
        return False
    return _KEY.search(head[:8192]) is not None


def read(data: Content, origin: str) -> Iterator[TrialRecord | RecordError]:
    return read_studies(data, origin, _entries, P, (*P, "IdentificationModule", "NCTId"), "classic ClinicalTrials.gov study",
                        lambda entry, base, index: _map(JsonMapper(entry, base),
                                                        SourceRef(path=origin, format=NAME, index=index,
                                                                  digest=study_digest(entry))))


def _entries(doc: Any, origin: str) -> Iterator[tuple[str, Any]]:
    """(pointer, ``{"Study": ...}`` entry) for each study in the document."""
    if isinstance(doc, dict) and isinstance(doc.get("FullStudiesResponse"), dict):
        studies = doc["FullStudiesResponse"].get("FullStudies") or []
        if not isinstance(studies, list):
            raise InputError(origin, "FullStudiesResponse.FullStudies is not a list")
        for i, entry in enumerate(studies):
            yield f"/FullStudiesResponse/FullStudies/{i}", entry
    elif isinstance(doc, dict) and "Study" in doc:
        yield "", doc
    elif isinstance(doc, list):
        for i, entry in enumerate(doc):
            yield f"/{i}", entry
    else:
        raise InputError(origin, "JSON is not a classic ClinicalTrials.gov FullStudiesResponse or Study")


def _map(m: JsonMapper, source: SourceRef) -> TrialRecord:
    ident = (*P, "IdentificationModule")
    status = (*P, "StatusModule")
    design = (*P, "DesignModule")
    info = (*design, "DesignInfo")
    arms = (*P, "ArmsInterventionsModule")
    secondary = [m.text(*ident, "OrgStudyIdInfo", "OrgStudyId")] + [
        m.text(*ident, "SecondaryIdInfoList", "SecondaryIdInfo", i, "SecondaryId")
        for i, _ in m.items(*ident, "SecondaryIdInfoList", "SecondaryIdInfo")]
    who = m.texts(*info, "DesignMaskingInfo", "DesignWhoMaskedList", "DesignWhoMasked")
    count_at = (*design, "EnrollmentInfo", "EnrollmentCount")
    type_at = (*design, "EnrollmentInfo", "EnrollmentType")
    record = TrialRecord(
        source=source,
        registry="ClinicalTrials.gov",
        trial_id=dig(m.study, *ident, "NCTId"),
        secondary_ids=[t.value for t in secondary if t is not None],
        title=m.text(*ident, "BriefTitle"),
        official_title=m.text(*ident, "OfficialTitle"),
        acronym=dig(m.study, *ident, "Acronym"),
        status=m.text(*status, "OverallStatus"),
        conditions=m.texts(*P, "ConditionsModule", "ConditionList", "Condition"),
        keywords=m.texts(*P, "ConditionsModule", "KeywordList", "Keyword"),
        summary=m.text(*P, "DescriptionModule", "BriefSummary"),
        description=m.text(*P, "DescriptionModule", "DetailedDescription"),
        eligibility=m.text(*P, "EligibilityModule", "EligibilityCriteria"),
        design=Design(study_type=m.text(*design, "StudyType"), phases=[c for t in m.texts(*design, "PhaseList", "Phase") for c in fields.phases(t)],
                      allocation=m.text(*info, "DesignAllocation"),
                      intervention_model=m.text(*info, "DesignInterventionModel"),
                      masking=m.text(*info, "DesignMaskingInfo", "DesignMasking"),
                      who_masked=[Text(value=fields.role(t.value), at=t.at) for t in who]),
        enrollment=Enrollment(count=fields.number(dig(m.study, *count_at), m.pointer(*count_at)),
                              type=fields.enrollment_type(dig(m.study, *type_at), m.pointer(*type_at))),
        arms=[Arm(label=m.text(*arms, "ArmGroupList", "ArmGroup", i, "ArmGroupLabel"),
                  type=m.text(*arms, "ArmGroupList", "ArmGroup", i, "ArmGroupType"),
                  description=m.text(*arms, "ArmGroupList", "ArmGroup", i, "ArmGroupDescription"),
                  intervention_names=m.texts(*arms, "ArmGroupList", "ArmGroup", i, "ArmGroupInterventionList",
                                             "ArmGroupInterventionName"))
              for i, _ in m.items(*arms, "ArmGroupList", "ArmGroup")],
        interventions=[_intervention(m, (*arms, "InterventionList", "Intervention", i))
                       for i, _ in m.items(*arms, "InterventionList", "Intervention")],
        outcomes=[Outcome(kind=cast(OutcomeKind, kind.lower()), measure=m.text(*at, i, f"{kind}OutcomeMeasure"),
                          description=m.text(*at, i, f"{kind}OutcomeDescription"),
                          time_frame=m.text(*at, i, f"{kind}OutcomeTimeFrame"))
                  for kind in ("Primary", "Secondary", "Other")
                  for at in [(*P, "OutcomesModule", f"{kind}OutcomeList", f"{kind}Outcome")]
                  for i, _ in m.items(*at)],
        dates=fields.dated(start=m.text(*status, "StartDateStruct", "StartDate"),
                           start_type=m.text(*status, "StartDateStruct", "StartDateType"),
                           registered=m.text(*status, "StudyFirstSubmitDate"),
                           completion=m.text(*status, "CompletionDateStruct", "CompletionDate"),
                           last_update=m.text(*status, "LastUpdatePostDateStruct", "LastUpdatePostDate")),
        sponsor=m.text(*P, "SponsorCollaboratorsModule", "LeadSponsor", "LeadSponsorName"),
        countries=list({t.value: t for t in (m.text(*P, "ContactsLocationsModule", "LocationList", "Location", i,
                                                    "LocationCountry")
                                             for i, _ in m.items(*P, "ContactsLocationsModule", "LocationList",
                                                                 "Location")) if t is not None}.values()),
        results=_results(m),
    )
    # The ids are taken as the source has them; one that is not text is rejected (model.checked) as
    # a RecordError of this study, not a crash of the run.
    text_ids = all(v is None or isinstance(v, str) for v in (record.trial_id, record.acronym))
    return record if text_ids else checked(record)


def _intervention(m: JsonMapper, at: tuple[str | int, ...]) -> Intervention:
    return Intervention(name=m.text(*at, "InterventionName"), type=m.text(*at, "InterventionType"),
                        description=m.text(*at, "InterventionDescription"),
                        arm_labels=m.texts(*at, "InterventionArmGroupLabelList", "InterventionArmGroupLabel"),
                        other_names=m.texts(*at, "InterventionOtherNameList", "InterventionOtherName"))


def _results(m: JsonMapper) -> Results:
    section = m.study.get("Study", {}).get("ResultsSection")
    if not isinstance(section, dict) or not section:
        return Results(posted=False)
    rs = ("Study", "ResultsSection")
    ae = (*rs, "AdverseEventsModule")
    groups = ae + ("EventGroupList", "EventGroup")
    om = (*rs, "OutcomeMeasuresModule", "OutcomeMeasureList", "OutcomeMeasure")

    def count(i: int, key: str):
        return fields.number(dig(m.study, *groups, i, key), m.pointer(*groups, i, key))

    return Results(
        posted=True,
        posted_at=m.pointer(*rs),
        outcome_titles=[t for i, _ in m.items(*om) if (t := m.text(*om, i, "OutcomeMeasureTitle"))],
        adverse_event_groups=[AdverseEventGroup(title=m.text(*groups, i, "EventGroupTitle"),
                                                serious_affected=count(i, "EventGroupSeriousNumAffected"),
                                                other_affected=count(i, "EventGroupOtherNumAffected"),
                                                at_risk=count(i, "EventGroupSeriousNumAtRisk")
                                                or count(i, "EventGroupOtherNumAtRisk"))
                              for i, _ in m.items(*groups)],
        adverse_events_time_frame=m.text(*ae, "EventsTimeFrame"),
        adverse_events_description=m.text(*ae, "EventsDescription"),
        adverse_event_terms=len(m.items(*ae, "SeriousEventList", "SeriousEvent"))
        + len(m.items(*ae, "OtherEventList", "OtherEvent")),
    )
