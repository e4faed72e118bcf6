"""The plain path the optimised per-record path must agree with (tests/test_equivalence.py).

Deliberately simple and unoptimised, kept as the code was before the batch path was made cheaper:

- every record checked against its declared types (`model.checked`, in tests/test_equivalence.py);
- the ClinicalTrials.gov v2 mapping through a plain `JsonMapper` that digs from the study's top for
  every value (`map_v2`);
- criteria judged with jsonschema's own validator of each condition (not the generated predicates)
  and every fact looked up again wherever a criterion or message reads it (`judge`);
- the ctrdata sniffer's one pattern of old (`ctrdata_sniff`).

Nothing here is used by the package; only tests import it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema

from auditor.engine import profiles
from auditor.engine.evaluate import Assessment, Judgement
from auditor.engine.messages import DEFAULT_MESSAGES, Template, Variant, _filtered, render_value, texts
from auditor.engine.profiles import Criterion, Profile, expand
from auditor.facts import Evidence, FactSheet, lookup
from auditor.model import (
    AdverseEventGroup,
    Arm,
    Dates,
    Design,
    Enrollment,
    Intervention,
    Number,
    Outcome,
    Results,
    SourceRef,
    Text,
    TrialRecord,
    checked,
)
from auditor.sources import dates
from auditor.vocabulary import STATUSES, Status

# --- the plain mapping in place ---------------------------------------------------------------


@contextlib.contextmanager
def validated() -> Iterator[None]:
    """Within: the ctgov-v2 reader maps with `map_v2`, which checks every record's types."""
    from auditor.sources import ctgov_v2

    original = ctgov_v2._map
    ctgov_v2._map = map_v2
    try:
        yield
    finally:
        ctgov_v2._map = original


# --- the ClinicalTrials.gov v2 mapping as it was ----------------------------------------------


def dig(obj: Any, *keys: str | int) -> Any:
    for key in keys:
        if isinstance(key, int):
            obj = obj[key] if isinstance(obj, list) and key < len(obj) else None
        else:
            obj = obj.get(key) if isinstance(obj, dict) else None
        if obj is None:
            return None
    return obj


class JsonMapper:
    def __init__(self, study: Any, base: str):
        self.study = study
        self.base = base

    def at(self, *keys: str | int) -> JsonMapper:
        return JsonMapper(dig(self.study, *keys), self.pointer(*keys))

    def text(self, *keys: str | int) -> Text | None:
        value = dig(self.study, *keys)
        if value is None or isinstance(value, (dict, list)):
            return None
        if not isinstance(value, str):
            value = str(value).lower() if isinstance(value, bool) else str(value)
        if not value.strip():
            return None
        return Text(value=value, at=self.pointer(*keys))

    def texts(self, *keys: str | int) -> list[Text]:
        items = dig(self.study, *keys)
        if not isinstance(items, list):
            return []
        return [t for i in range(len(items)) if (t := self.text(*keys, i)) is not None]

    def number(self, *keys: str | int) -> Number | None:
        value = dig(self.study, *keys)
        if isinstance(value, bool) or value is None:
            return None
        try:
            return Number(value=float(value), at=self.pointer(*keys),
                          text=None if isinstance(value, (int, float)) else str(value))
        except (TypeError, ValueError):
            return None

    def items(self, *keys: str) -> list[tuple[int, dict[str, Any]]]:
        items = dig(self.study, *keys)
        if not isinstance(items, list):
            return []
        return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]

    def pointer(self, *keys: str | int) -> str:
        return f"{self.base}/{'/'.join(map(str, keys))}" if keys else self.base


def _dated(start: Text | None, registered: Text | None, start_type: Text | None = None,
           completion: Text | None = None, last_update: Text | None = None) -> Dates:
    start_date, precision = dates.parse_iso(start.value) if start else (None, None)
    reg_source = registered.value if registered else None
    return Dates(start=start, start_type=start_type, registered=registered, start_parsed=start_date,
                 start_precision=precision,
                 registered_parsed=dates.parse_iso(reg_source)[0] if reg_source else None,
                 completion=completion, last_update=last_update,
                 last_update_parsed=dates.parse_any(last_update.value)[0] if last_update else None)


def _study_outcomes(m: JsonMapper) -> list[Outcome]:
    outcomes = []
    module = m.at("protocolSection", "outcomesModule")
    for kind, key in (("primary", "primaryOutcomes"), ("secondary", "secondaryOutcomes"), ("other", "otherOutcomes")):
        for i, _ in module.items(key):
            o = module.at(key, i)
            outcomes.append(Outcome(kind=kind, measure=o.text("measure"), description=o.text("description"),  # type: ignore[arg-type]
                                    time_frame=o.text("timeFrame")))
    return outcomes


P = "protocolSection"


def map_v2(study: dict[str, Any], base: str, source: SourceRef) -> TrialRecord:
    m = JsonMapper(study, base)
    ident, status, design = m.at(P, "identificationModule"), m.at(P, "statusModule"), m.at(P, "designModule")
    info, arms_mod = design.at("designInfo"), m.at(P, "armsInterventionsModule")
    secondary = [ident.text("orgStudyIdInfo", "id")] + [
        ident.text("secondaryIdInfos", i, "id") for i, _ in ident.items("secondaryIdInfos")]
    start = status.text("startDateStruct", "date")
    registered = status.text("studyFirstSubmitDate")
    outcomes = _study_outcomes(m)
    arms = [arms_mod.at("armGroups", i) for i, _ in arms_mod.items("armGroups")]
    interventions = [arms_mod.at("interventions", i) for i, _ in arms_mod.items("interventions")]
    places = m.at(P, "contactsLocationsModule")
    found = [places.at("locations", i).text("country") for i, _ in places.items("locations")]
    return checked(TrialRecord(
        source=source,
        registry="ClinicalTrials.gov",
        trial_id=dig(ident.study, "nctId"),
        secondary_ids=[t.value for t in secondary if t is not None],
        title=ident.text("briefTitle"),
        official_title=ident.text("officialTitle"),
        acronym=dig(ident.study, "acronym"),
        status=status.text("overallStatus"),
        sponsor=m.text(P, "sponsorCollaboratorsModule", "leadSponsor", "name"),
        countries=list({t.value: t for t in found if t is not None}.values()),
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
        dates=_dated(start=start, start_type=status.text("startDateStruct", "type"), registered=registered,
                     completion=status.text("completionDateStruct", "date")
                     or status.text("primaryCompletionDateStruct", "date"),
                     last_update=status.text("lastUpdatePostDateStruct", "date")
                     or status.text("lastUpdateSubmitDate")),
        results=_results(study, m),
    ))


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


# --- judging: jsonschema's validators, every fact looked up where it is read ------------------


def plain_profile(profile: Profile) -> Profile:
    """The profile with every condition (criteria and message variants) checked by jsonschema."""
    raw, _ = profiles._resolve(Path(profile.origin), ())
    fixes = {c["code"]: c.get("fix") for c in raw["criteria"]}

    def variants(raw: Any, compiled: tuple[Variant, ...]) -> tuple[Variant, ...]:
        whens = [when for _, when in texts(raw)]
        assert len(whens) == len(compiled)
        return tuple(Variant(v.parts, v.reads, None if w is None else jsonschema.Draft202012Validator(expand(w)))
                     for v, w in zip(compiled, whens))

    criteria = []
    for c in profile.criteria:
        checks = {name: jsonschema.Draft202012Validator(schema) for name, schema in c.conditions.items()}
        messages = {status: variants(c.messages[status], vs) for status, vs in c.variants.items()}
        criteria.append(dataclasses.replace(c, validators=checks, variants=messages,
                                            fix_variants=variants(fixes[c.code], c.fix_variants)))
    return dataclasses.replace(profile, criteria=tuple(criteria))


def _quoted(evidence: dict[str, list[Evidence]], path: str) -> str | None:
    quotes = list(dict.fromkeys(e.quote for e in evidence.get(path, ())))
    return ", ".join(f"“{_shortened(q, 80)}”" for q in quotes) if quotes else None


def _shortened(text: str, limit: int) -> str:
    """Restated here (not imported) so the reference stays independent of the code it checks."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    return (head[:space] if space > 0 else head).rstrip() + "…"


def _render(parts: Template, facts: dict[str, Any], evidence: dict[str, list[Evidence]]) -> str:
    return "".join(literal + ("" if path is None else (_quoted(evidence, path) or "") if name == "quoted"
                              else render_value(_filtered(lookup(facts, path), name)))
                   for literal, path, name in parts)


def _fits(v: Variant, facts: dict[str, Any], evidence: dict[str, list[Evidence]]) -> bool:
    quoted = {path for _, path, name in v.parts if name == "quoted"}
    return (v.when is None or v.when.is_valid(facts)) and all(
        lookup(facts, p) not in (None, []) or (p in quoted and _quoted(evidence, p) is not None) for p in v.reads)


def _choose(variants: tuple[Variant, ...], facts: dict[str, Any], evidence: dict[str, list[Evidence]]) -> str | None:
    if not variants:
        return None
    chosen = next((v for v in variants if _fits(v, facts, evidence)), variants[-1])
    return _render(chosen.parts, facts, evidence)


def _status_of(criterion: Criterion, facts: dict[str, Any]) -> Status:
    checks = criterion.validators
    if "applies_when" in checks and not checks["applies_when"].is_valid(facts):
        return "not_applicable"
    if checks["met_when"].is_valid(facts):
        return "met"
    if "not_met_when" in checks:
        return "not_met" if checks["not_met_when"].is_valid(facts) else "unclear"
    return "unclear" if any(lookup(facts, f) is None for f in criterion.facts) else "not_met"


def _assess(criterion: Criterion, sheet: FactSheet) -> Assessment:
    facts = sheet.facts
    values = [lookup(facts, path) for path in criterion.facts]
    status = _status_of(criterion, facts)
    message = _choose(criterion.variants.get(status, ()), facts, sheet.evidence) or DEFAULT_MESSAGES[status]
    evidence = [ev for path in criterion.facts for ev in sheet.evidence.get(path, ())]
    fix = _choose(criterion.fix_variants, facts, sheet.evidence) if status in ("not_met", "unclear") else None
    seen: dict[tuple[str, int | None, str], Evidence] = {}
    for ev in evidence:
        seen.setdefault((ev.at, ev.line, ev.quote), ev)
    return Assessment(status, message, fix, values, list(seen.values()))


def judge(sheet: FactSheet, profile: Profile) -> Judgement:
    assessments = [_assess(c, sheet) for c in profile.criteria]
    counts: dict[Status, int] = dict.fromkeys(STATUSES, 0)
    for a in assessments:
        counts[a.status] += 1
    return Judgement(assessments, counts)


# --- sniffing ----------------------------------------------------------------------------------

_CTRDATA_KEY = re.compile(rb'"ctrname"\s*:\s*"(?:EUCTR|CTIS|ISRCTN|CTGOV2?)"|^\s*\[?\s*\{\s*"isrctn"\s*:\s*"\d|"a2_eudract_number"\s*:')
_CTRDATA_META = re.compile(rb'^\s*\{\s*"queries"\s*:\s*\[\s*\{\s*"query-timestamp"')


def ctrdata_sniff(head: bytes, name: str) -> bool:
    return _CTRDATA_KEY.search(head) is not None or _CTRDATA_META.match(head) is not None
