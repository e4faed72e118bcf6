"""The results part of an EU CTR document as ctrdata stores it (trials with posted results): the
enrolled number, and the posted end points and adverse events. The register's own text download
has no results; auditor.sources.euctr maps the protocol part and calls these.

| TrialRecord | ctrdata results key |
|---|---|
| enrollment.count / type | the sum of trialInformation.countrySubjectCounts[].subjects, ACTUAL |
| results.* | endPoints.endPoint[].title; adverseEvents.{timeFrame, description, reportingGroups.reportingGroup[]} |
"""

from __future__ import annotations

from auditor.model import AdverseEventGroup, Enrollment, Number, Results, Text
from auditor.sources.jsonmap import JsonMapper, dig


def enrollment(m: JsonMapper | None) -> Enrollment | None:
    """The enrolled number of a trial with results: the sum of the results' subjects per country
    (trialInformation.countrySubjectCounts; the register shows this sum as the worldwide total)."""
    if m is None:
        return None
    key = ("trialInformation", "countrySubjectCounts", "countrySubjectCount")
    counts = [dig(item, "subjects") for item in (dig(m.study, *key) or [])] if isinstance(dig(m.study, *key), list) \
        else [dig(m.study, *key, "subjects")]
    numbers = [int(c) for c in counts if isinstance(c, (int, str)) and str(c).strip().isdigit()]
    if not numbers or len(numbers) != len(counts):
        return None
    at = m.pointer(*key)
    return Enrollment(count=Number(value=float(sum(numbers)), at=at), type=Text(value="ACTUAL", at=at))


def _listed(m: JsonMapper, *keys: str) -> list[JsonMapper]:
    """The mappers of a repeated element; ctrdata keeps a single XML element as an object, not a list."""
    value = dig(m.study, *keys)
    if isinstance(value, list):
        return [m.at(*keys, i) for i, item in enumerate(value) if isinstance(item, dict)]
    return [m.at(*keys)] if isinstance(value, dict) else []


def results(m: JsonMapper) -> Results:
    section = [k for k in ("endPoints", "adverseEvents") if isinstance(dig(m.study, k), dict)]
    if not section:
        return Results(posted=False)
    titles = [t for e in _listed(m, "endPoints", "endPoint") if (t := e.text("title")) is not None]
    ae = m.at("adverseEvents")
    groups = [AdverseEventGroup(title=g.text("title"), serious_affected=g.number("subjectsAffectedBySeriousAdverseEvents"),
                                other_affected=g.number("subjectsAffectedByNonSeriousAdverseEvents"),
                                at_risk=g.number("subjectsExposed"))
              for g in _listed(ae, "reportingGroups", "reportingGroup")]
    terms = len(_listed(ae, "seriousAdverseEvents", "seriousAdverseEvent")) + \
        len(_listed(ae, "nonSeriousAdverseEvents", "nonSeriousAdverseEvent"))
    return Results(posted=True, posted_at=m.pointer(section[0]), outcome_titles=titles, adverse_event_groups=groups,
                   adverse_events_time_frame=ae.text("timeFrame"), adverse_events_description=ae.text("description"),
                   adverse_event_terms=terms)
