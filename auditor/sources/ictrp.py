"""WHO ICTRP field mapping, shared by the XML and CSV readers (one record = a dict of field -> text).

ICTRP re-publishes records of 17+ source registers in one flat field set whose names vary by export
(``Primary_outcome`` in XML, ``Primary outcome`` in the portal CSV, ``Primary_Outcome`` in the full
export field list, `specs/ICTRP_export_datafields.txt`). Names are matched case-, space- and
underscore-insensitively, with the aliases in ``_ALIASES``. Values are stripped of padding; blank
and ``NULL`` mean "not given"; HTML left over from source registers (``<br>``, ``<p>``) becomes
line breaks.

| TrialRecord | ICTRP field |
|---|---|
| trial_id, acronym | TrialID, Acronym |
| registry | "ICTRP:" + Source_Register ("ICTRP:ChiCTR"); without that column, the register named by the TrialID prefix |
| secondary_ids | SecondaryIDs / Secondary_ID, split on ``;`` |
| title, official_title | Public_title, Scientific_title |
| status | Recruitment_Status |
| conditions | Condition(s), split on ``;`` |
| eligibility | Inclusion_Criteria and Exclusion_Criteria joined by a blank line (``at`` names both: ``a | b``) |
| design.study_type | Study_type |
| design.phases | Phase as ClinicalTrials.gov codes (``fields.phases``: "Phase 2/Phase 3" -> PHASE2, PHASE3; bare numbers "4" -> PHASE4, "1-2" -> PHASE1, PHASE2 (ChiCTR's "0" is no sign of Phase 0: kept); an EU CTR "(Phase II): yes" block -> the phases answered yes); other values as given |
| design.description | Study_design, whole |
| design.allocation | from Study_design only when it says so: an ``Allocation:`` value or a ``Randomised: yes/no`` answer (the labelled phrase as written; prose is read by the extractors) |
| design.masking, who_masked, intervention_model | Study_design's ``Masking:`` and ``Intervention model:`` values, when labelled |
| design.arm_count | Study_design's ``Number of treatment arms in the trial: N`` (EU CTR copies) |
| enrollment.count | Target_size when it is a number or starts with the total ("120 ; Group A: 60" -> 120, text kept); a single "group:N" -> N ("4 groups:2800;" -> 2800); several groups without a total -> no count |
| enrollment.per_arm | Target_size "group:N;group:M;" items (ChiCTR), one Number per group, the number after each colon as written (a 0 target too: the extractors judge it); a group number before the label ("1 the critical group:8") is part of the label |
| enrollment.unread | Target_size as written when it gives no number ("lots", "not stated") |
| enrollment.type | type_enrolment (full export), normalised to ACTUAL / ESTIMATED |
| interventions[] | Intervention(s), one per ``;`` item; a ClinicalTrials.gov "Drug: name" prefix becomes the type |
| outcomes[] | Primary_outcome / Secondary_outcome(s), see "Outcome text" below; an ANZCTR outcome's trailing "[...]" is its Timepoint field (time_frame), also where the export glues it to the text ("Mortality[28 day post discharge from ICU]") |
| dates.start | Date_enrollement (date of first enrolment, as given) |
| dates.registered | Date_registration (as given), parsed from Date_registration3 (YYYYMMDD) when present |
| results.posted / posted_at | results_yes_no = Yes, or a results_date_posted (results_url_link alone is not enough: DRKS gives a link to an empty results tab for every trial) |
| results.flag_only | always True with posted results: the export flags results, it does not copy them |
| results.adverse_events_description | results_adverse_events |

**Outcome text** is split into Outcomes by :mod:`auditor.sources.outcome_text` (documented there).

Dropped (no audit question depends on them, or no TrialRecord field): contacts, sponsors, countries,
web_address, age/gender limits, ethics review, bridging, export/refresh dates, Retrospective_flag
(registration timing is derived from the dates), IPD plans and the other results_* links.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import msgspec

from auditor import identity
from auditor.errors import RecordError
from auditor.model import (
    Design,
    Enrollment,
    Intervention,
    Number,
    Outcome,
    OutcomeKind,
    Results,
    SourceRef,
    Text,
    TrialRecord,
)
from auditor.sources import fields, outcome_text

Locate = Callable[[str], dict[str, Any]]  # original field name -> Text location kwargs (at, line)

_ALIASES = {
    "secondary_outcome": "secondary_outcomes", "condition": "conditions", "intervention": "interventions",
    "secondary_id": "secondary_ids", "secondaryids": "secondary_ids", "date_enrolment": "date_enrollement",
    "trial_id": "trialid", "type_enrollment": "type_enrolment",
}
_CTGOV_TYPES = {"drug", "device", "biological", "procedure", "procedure/surgery", "radiation", "behavioral",
                "genetic", "dietary supplement", "combination product", "diagnostic test", "other"}

_GROUP_SIZE = re.compile(r"^(.*?)\s*:\s*(\d+)\s*$")


@lru_cache(maxsize=512)
def canonical(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", name.strip()).lower()
    return _ALIASES.get(key, key)




class _Record:
    """One record's values by canonical field name, building Texts with their locations."""

    def __init__(self, values: Mapping[str, str | None], locate: Locate):
        self.raw = {canonical(k): (k, v) for k, v in values.items()}
        self.locate = locate

    def value(self, field: str) -> str | None:
        entry = self.raw.get(field)
        return fields.clean(entry[1]) if entry else None

    def at(self, field: str) -> dict[str, Any]:
        return self.locate(self.raw[field][0])

    def text(self, field: str) -> Text | None:
        value = self.value(field)
        if value is None:
            return None
        return fields.text(fields.strip_markup(value), **self.at(field))

    def items(self, field: str) -> list[Text]:
        value = self.value(field)
        if value is None:
            return []
        where = self.at(field)
        return [Text(value=item, **where) for item in fields.split_list(fields.strip_markup(value))]


def to_record(values: Mapping[str, str | None], locate: Locate, source: SourceRef,
              record_at: str) -> TrialRecord | RecordError:
    """Map one ICTRP record; a record without a TrialID is a RecordError naming the field."""
    r = _Record(values, locate)
    trial_id = r.value("trialid")
    if trial_id is None:
        return RecordError(source.path, "record has no TrialID (field TrialID is empty or missing)",
                           where=record_at, index=source.index)
    try:
        return _map(r, trial_id, source)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        return RecordError(source.path, f"cannot map record: {exc}", where=record_at, index=source.index,
                           record_id=trial_id)


def _map(r: _Record, trial_id: str, source: SourceRef) -> TrialRecord:
    register = r.value("source_register") or identity.register_of(trial_id)
    design_text = r.text("study_design")
    stated = fields.design_statement(design_text)
    reg3 = r.value("date_registration3")
    return TrialRecord(
        source=source,
        registry=f"ICTRP:{register}" if register else "ICTRP",
        trial_id=trial_id,
        secondary_ids=[t.value for t in r.items("secondary_ids")],
        title=r.text("public_title"),
        official_title=r.text("scientific_title"),
        acronym=r.value("acronym"),
        status=r.text("recruitment_status"),
        conditions=r.items("conditions"),
        eligibility=_eligibility(r),
        design=Design(study_type=r.text("study_type"), description=design_text,
                      phases=fields.phases(r.text("phase"), bare_numbers=True), **stated),
        enrollment=_enrollment(r),
        interventions=[_intervention(t) for t in r.items("interventions")],
        outcomes=_outcomes(r, "primary_outcome", "primary", register) + _outcomes(r, "secondary_outcomes", "secondary", register),
        dates=fields.dated(start=r.text("date_enrollement"), registered=r.text("date_registration"),
                           registered_exact=reg3 if reg3 and reg3.isdigit() and len(reg3) == 8 else None,
                           last_update=r.text("last_refreshed_on")),
        sponsor=r.text("primary_sponsor"),
        countries=r.items("countries"),
        results=_results(r),
    )


def _eligibility(r: _Record) -> Text | None:
    parts = [t for t in (r.text("inclusion_criteria"), r.text("exclusion_criteria")) if t is not None]
    if len(parts) < 2:
        return parts[0] if parts else None
    return Text(value=f"{parts[0].value}\n\n{parts[1].value}", at=f"{parts[0].at} | {parts[1].at}",
                line=parts[0].line)


def _enrollment(r: _Record) -> Enrollment:
    raw = r.value("target_size")
    kind = r.value("type_enrolment")
    where = r.at("target_size") if raw else {}
    groups = _group_targets(raw) if raw else []
    # A group list ("4 groups:2800;", "1 the critical group:8;2 ...") starts with a group's number or
    # count, not with the total: only a value that is not a group list may start with its total.
    count = fields.number(raw, **where) if raw and not groups else None
    per_arm = [Number(value=float(n), text=item, **where) for item, n in groups]
    if len(per_arm) == 1:
        count = Number(value=per_arm[0].value, text=raw, **where)
    unread = Text(value=raw, **where) if raw and count is None and not per_arm else None
    return Enrollment(count=count, per_arm=per_arm, unread=unread,
                      type=fields.enrollment_type(kind, **r.at("type_enrolment")) if kind else None)


def _group_targets(raw: str) -> list[tuple[str, int]]:
    """ChiCTR's "group:N;group:M;" Target size as (item, N) pairs, the number after each colon; [] when
    the value is not such a list (its first item is no "label:N"). An item without a colon is part of
    the next one's label ("Medical students group; Non-medical students group:1300": one target)."""
    out: list[tuple[str, int]] = []
    pending = ""
    for item in fields.split_list(raw):
        match = _GROUP_SIZE.match(item)
        if match is None:
            if out:  # free text after the groups: not part of a target
                continue
            if not pending and fields.number(item, at="") is not None:
                return []  # the value starts with its total ("120 ; Group A: 60")
            pending = f"{pending}; {item}" if pending else item
            continue
        out.append((f"{pending}; {item}" if pending else item, int(match.group(2))))
        pending = ""
    return out


def _intervention(item: Text) -> Intervention:
    kind, sep, name = item.value.partition(":")
    if sep and kind.strip().lower() in _CTGOV_TYPES and name.strip():
        return Intervention(type=Text(value=kind.strip(), at=item.at, line=item.line),
                            name=Text(value=name.strip(), at=item.at, line=item.line))
    return Intervention(name=item)


def _outcomes(r: _Record, field: str, kind: OutcomeKind, register: str | None) -> list[Outcome]:
    whole = r.text(field)
    if whole is None:
        return []
    outcomes = outcome_text.split(whole, kind)
    return [_anzctr_timepoint(o) for o in outcomes] if register == "ANZCTR" else outcomes


# ANZCTR registers each outcome with its own Timepoint field; ICTRP appends it to the outcome in
# brackets, "Mortality[28 day post discharge from ICU]", on a new line only where the outcome text
# ended in a line break (the CSV export: 9 of 13 ANZCTR outcomes are glued). So an ANZCTR outcome's
# trailing bracket is that field, however it is joined.
_ANZCTR_TIMEPOINT = re.compile(r"\[\s*([^\[\]]+?)\s*\]\s*$")


def _anzctr_timepoint(outcome: Outcome) -> Outcome:
    measure = outcome.measure
    found = _ANZCTR_TIMEPOINT.search(measure.value) if measure is not None and outcome.time_frame is None else None
    if measure is None or found is None or not measure.value[:found.start()].strip():
        return outcome
    return msgspec.structs.replace(outcome, measure=fields.text(measure.value[:found.start()], measure.at, measure.line),
                                   time_frame=fields.text(found.group(1), measure.at, measure.line))


def _results(r: _Record) -> Results:
    for field in ("results_yes_no", "results_date_posted"):
        value = r.value(field)
        if value and (field != "results_yes_no" or value.lower() in ("yes", "true")):
            # ICTRP copies the flag and links, not the results themselves.
            return Results(posted=True, posted_at=r.at(field)["at"], flag_only=True,
                           adverse_events_description=r.text("results_adverse_events"))
    return Results(posted=False)
