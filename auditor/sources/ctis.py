"""EU CTIS (Clinical Trials Information System) JSON: the public search API and full trial records.

Accepted: a search response ``{"data": [{"ctNumber": ...}, ...]}`` (summary records), one full
record (the public "retrieve" JSON, as ctrdata also stores it, with the part I under
``authorizedApplication.authorizedPartI`` or, in records from before 2024, ``authorizedPartI``), or
a JSON array of records. ``at`` is a JSON pointer. Part I is the trial's common part; parts II
(per member state: sites, local subject counts) are not read.

| TrialRecord | CTIS full record (part I = ``.../authorizedPartI``, T = part I ``trialDetails``) | search API |
|---|---|---|
| trial_id | ctNumber (EU CT number) | ctNumber |
| secondary_ids | EudraCT number (``authorizedApplication.eudraCt.eudraCtCode`` / ``eudraCtInfo.eudraCtCode``); T.clinicalTrialIdentifiers.secondaryIdentifyingNumbers.{nctNumber, isrctnNumber, whoUniversalTrialNumber, additionalRegistries[]}.number; shortTitle (sponsor code) | shortTitle |
| title, official_title | T.clinicalTrialIdentifiers.publicTitle, fullTitle | ctTitle |
| status | ctStatus when the record writes it as text | (code only) |
| conditions | T.trialInformation.medicalCondition.partIMedicalConditions[].medicalCondition | conditions |
| summary, description | T.trialInformation.trialObjective.mainObjective; secondaryObjectives[].secondaryObjective, one a line | - |
| eligibility | T.trialInformation.eligibilityCriteria.principalInclusionCriteria[] and principalExclusionCriteria[], one criterion a line | - |
| design.phases | trialPhase ("Therapeutic exploratory (Phase II)" -> PHASE2; a code is kept as given) | trialPhase |
| enrollment.count | totalNumberEnrolled (type not stated by CTIS: left unknown) | totalNumberEnrolled |
| interventions[] | part I products[]: productName (else prodName), mpRoleInTrial "1" = test / other = comparator or auxiliary, pharmaceutical form | product |
| outcomes[] | T.trialInformation.endPoint.primaryEndPoints[] / secondaryEndPoints[].endPoint, each split by :mod:`auditor.sources.outcome_text` (CTIS has no time-point field; time points are in the end point's text) | primaryEndPoint (primary), endPoint (other) |
| dates.start / type | startDateEU (actual, first member state); else T.trialInformation.trialDuration.estimatedRecruitmentStartDate (ESTIMATED) | - |
| dates.registered | submission date of the INITIAL application (``applicationInfo[]`` or, older records, ``submissionDate``); not set for a trial transitioned from EudraCT, whose first registration is the EudraCT one (its number is a secondary id) | - |
| countries | trialCountries[] ("France:2" -> France) and part I rowCountriesInfo[].name (outside the EU/EEA) | trialCountries |
| results.posted | resultsFirstReceived = "Yes", or a non-empty ``results`` object | resultsFirstReceived |

Not read: parts II (sites, per-country counts), sponsors and contacts, documents, evaluations, events
(start/halt/end notifications), therapeutic areas, age groups and translations (the English text is read).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from auditor.errors import InputError, RecordError
from auditor.model import (
    Dates,
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
from auditor.sources.jsonmap import JsonMapper, dig, read_studies, study_digest
from auditor.sources.spool import Content

NAME = "ctis"
DESCRIPTION = "EU CTIS JSON (public search API response, or full trial records as retrieved or stored by ctrdata)"
STREAMS = True  # a large JSON array arrives as a spool.Spool, parsed study by study
REGISTRY = "CTIS"

_KEY = re.compile(rb'"ctNumber"\s*:\s*"\d{4}-5\d{5}-\d{2}-\d{2}"')
_PART_I = (("authorizedApplication", "authorizedPartI"), ("authorizedPartI",))


def sniff(head: bytes, name: str) -> bool:
    return head.lstrip()[:1] in (b"{", b"[") and _KEY.search(head) is not None


def read(data: Content, origin: str) -> Iterator[TrialRecord | RecordError]:
    return read_studies(data, origin, _entries, (), ("ctNumber",), "CTIS trial", lambda doc, base, index: to_record(
        doc, base, SourceRef(path=origin, format=NAME, index=index, digest=study_digest(doc))))


def _entries(doc: Any, origin: str) -> Iterator[tuple[str, Any]]:
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        yield from ((f"/data/{i}", d) for i, d in enumerate(doc["data"]))
    elif isinstance(doc, dict) and "ctNumber" in doc:
        yield "", doc
    elif isinstance(doc, list):
        yield from ((f"/{i}", d) for i, d in enumerate(doc))
    else:
        raise InputError(origin, "JSON is neither a CTIS search response, a CTIS trial nor an array of trials")


def _number(doc: dict[str, Any]) -> str | None:
    for value in (doc.get("ctNumber"), dig(doc, "authorizedApplication", "authorizedPartI", "ctNumber")):
        if isinstance(value, str) and ids.ctis(value):
            return ids.ctis(value)
    return None


def to_record(doc: dict[str, Any], base: str, source: SourceRef) -> TrialRecord:
    m = JsonMapper(doc, base)
    number = _number(doc)
    if number is None:
        raise ValueError("no EU CT number (ctNumber)")
    part = next((m.at(*p) for p in _PART_I if isinstance(dig(doc, *p), dict)), None)
    t = part.at("trialDetails") if part else None
    info = t.at("trialInformation") if t else None
    ident = t.at("clinicalTrialIdentifiers") if t else None
    return TrialRecord(
        source=source, registry=REGISTRY, trial_id=number, secondary_ids=_secondary(m, ident, number),
        title=ident.text("publicTitle") if ident else m.text("ctTitle"),
        official_title=ident.text("fullTitle") if ident else None,
        status=m.text("ctStatus") if isinstance(doc.get("ctStatus"), str) else None,
        conditions=_conditions(m, info),
        summary=info.text("trialObjective", "mainObjective") if info else None,
        description=_lines(info, ("trialObjective", "secondaryObjectives"), "secondaryObjective") if info else None,
        eligibility=_eligibility(info),
        design=Design(phases=fields.phases(m.text("trialPhase"))),
        enrollment=Enrollment(count=fields.number(doc.get("totalNumberEnrolled"), m.pointer("totalNumberEnrolled"))),
        interventions=_products(m, part),
        outcomes=_outcomes(m, info),
        dates=_dates(m, info),
        results=_results(m),
        countries=_countries(m, part),
    )


def _countries(m: JsonMapper, part: JsonMapper | None) -> list[Text]:
    """Member states (trialCountries "France:2", the number being the sites) and third countries
    (part I rowCountriesInfo[].name), each once."""
    found = [Text(value=name, at=t.at) for t in m.texts("trialCountries")
             if (name := t.value.rsplit(":", 1)[0].strip() if t.value.rsplit(":", 1)[-1].strip().isdigit()
                 else t.value.strip())]
    if part is not None:
        found += [t for i, _ in part.items("rowCountriesInfo") if (t := part.text("rowCountriesInfo", i, "name"))]
    return list({t.value: t for t in found}.values())


def _secondary(m: JsonMapper, ident: JsonMapper | None, number: str) -> list[str]:
    values: list[Any] = [dig(m.study, "authorizedApplication", "eudraCt", "eudraCtCode"),
                         dig(m.study, "eudraCtInfo", "eudraCtCode")]
    if ident is not None:
        numbers = ident.at("secondaryIdentifyingNumbers")
        values += [dig(numbers.study, k, "number") for k in ("nctNumber", "isrctnNumber", "whoUniversalTrialNumber")]
        values += [dig(r, "number") for _, r in numbers.items("additionalRegistries")]
        values.append(dig(ident.study, "shortTitle"))
    else:
        values.append(m.study.get("shortTitle"))
    return ids.unique([v for v in values if isinstance(v, str)], exclude=number)


def _conditions(m: JsonMapper, info: JsonMapper | None) -> list[Text]:
    if info is None:
        return [c for c in [m.text("conditions")] if c]
    key = ("medicalCondition", "partIMedicalConditions")
    return [c for i, _ in info.items(*key) if (c := info.text(*key, i, "medicalCondition"))]


def _lines(m: JsonMapper | None, keys: tuple[str, ...], field: str) -> Text | None:
    """A CTIS list of numbered texts (criteria, objectives) as one text, one item a line."""
    if m is None:
        return None
    items = [t.value for i, _ in m.items(*keys) if (t := m.text(*keys, i, field))]
    return Text(value="\n".join(items), at=m.pointer(*keys)) if items else None


def _eligibility(info: JsonMapper | None) -> Text | None:
    key = ("eligibilityCriteria",)
    parts = [t for t in (_lines(info, (*key, "principalInclusionCriteria"), "principalInclusionCriteria"),
                         _lines(info, (*key, "principalExclusionCriteria"), "principalExclusionCriteria")) if t]
    if len(parts) < 2:
        return parts[0] if parts else None
    return Text(value=f"{parts[0].value}\n\n{parts[1].value}", at=f"{parts[0].at} | {parts[1].at}")


def _products(m: JsonMapper, part: JsonMapper | None) -> list[Intervention]:
    if part is None:
        product = m.text("product")
        return [Intervention(name=product, type=Text(value="DRUG", at=product.at))] if product else []
    out = []
    for i, item in part.items("products"):
        p = part.at("products", i)
        name = p.text("productName") or p.text("productDictionaryInfo", "prodName")
        role = "test" if str(item.get("mpRoleInTrial")) == "1" else "comparator or auxiliary"
        form = p.text("pharmaceuticalFormDisplay")
        out.append(Intervention(name=name, type=Text(value="DRUG", at=p.pointer()),
                                description=Text(value=f"Role: {role}" + (f"; form: {form.value}" if form else ""),
                                                 at=p.pointer("mpRoleInTrial"))))
    return out


def _outcomes(m: JsonMapper, info: JsonMapper | None) -> list[Outcome]:
    found: list[tuple[OutcomeKind, Text]] = []
    if info is None:
        search: tuple[tuple[OutcomeKind, str], ...] = (("primary", "primaryEndPoint"), ("other", "endPoint"))
        found = [(k, t) for k, key in search if (t := m.text(key))]
    else:
        full: tuple[tuple[OutcomeKind, str], ...] = (("primary", "primaryEndPoints"), ("secondary", "secondaryEndPoints"))
        for kind, key in full:
            found += [(kind, t) for i, _ in info.items("endPoint", key) if (t := info.text("endPoint", key, i, "endPoint"))]
    return [o for kind, text in found for o in outcome_text.split(text, kind)]


def _dates(m: JsonMapper, info: JsonMapper | None) -> Dates:
    start, start_type = m.text("startDateEU"), None
    if start is None and info is not None:
        start = info.text("trialDuration", "estimatedRecruitmentStartDate")
        start_type = Text(value="ESTIMATED", at=start.at) if start else None
    transitioned = dig(m.study, "authorizedApplication", "eudraCt", "isTransitioned") is True or \
        dig(m.study, "eudraCtInfo", "isTransitioned") is True
    registered = None
    if not transitioned:
        initial = [i for i, a in m.items("applicationInfo") if a.get("type") == "INITIAL"]
        registered = m.text("applicationInfo", initial[0], "submissionDate") if initial else m.text("submissionDate")
    return fields.dated(start=start, registered=registered, start_type=start_type)


def _results(m: JsonMapper) -> Results:
    results = m.study.get("results")
    if m.study.get("resultsFirstReceived") == "Yes" or (isinstance(results, dict) and any(results.values())):
        return Results(posted=True, posted_at=m.pointer("results") if results else m.pointer("resultsFirstReceived"))
    return Results(posted=False)
