"""EU Clinical Trials Register (EudraCT) protocol records, mapped field by field.

One mapping serves both places an EU CTR record comes from: the register's own full-text download
(:mod:`auditor.sources.euctr_text`) and the documents ctrdata stores (:mod:`auditor.sources.ctrdata`).
ctrdata names each field after the download's label (``E.5.1 Primary end point(s)`` ->
``e51_primary_end_points``), so the text reader builds the same keys and this module reads only those.
``at`` is the section code (``E.5.1``, with the line) in a text file, the JSON pointer
(``/e51_primary_end_points``) in a ctrdata document.

Each member-state record is one copy of the trial: every copy has the EudraCT number as trial_id
and its own copy id ``EUCTR<number>-<country code>`` (ICTRP's spelling) in secondary_ids; the
records stay separate (linking copies into one trial is the store's trial identity).

| TrialRecord | EU CTR section (ctrdata key) |
|---|---|
| trial_id | A.2 EudraCT number (``a2_eudract_number``), else Summary "EudraCT Number" |
| secondary_ids | member-state copy id (A.1 + Summary link); A.4.1 sponsor's protocol code; ISRCTN / NCT / other ids in A.5.x |
| registry | ``EU CTR`` |
| title, official_title, acronym | A.3.1 lay title, A.3 full title, A.3.2 abbreviated title |
| status | P. End of Trial Status, else Summary "Trial Status" (``x5_trial_status``) |
| conditions | E.1.1 medical condition(s), E.1.1.1 in easily understood language |
| summary, description | E.2.1 main objective, E.2.2 secondary objectives |
| eligibility | E.3 principal inclusion criteria and E.4 principal exclusion criteria, joined (``at``: ``E.3 \\| E.4``) |
| design.study_type | ``INTERVENTIONAL`` (EU CTR registers interventional trials of medicines only) |
| design.description | E.8.1 answers as the register writes them: "Controlled: Yes", "Randomised: No", "Open: Yes", ... E.8.2 comparator answers, E.8.2.4 number of arms |
| design.allocation | the "Randomised: yes/no" answer of E.8.1.1 (labelled, as written; the extractors judge it) |
| design.masking | the E.8.1.2-E.8.1.4 answer that is Yes ("Open", "Single blind", "Double blind"); who is masked is not registered |
| design.phases | E.7.1-E.7.4 phases answered Yes, as PHASE1-PHASE4 (the label kept as ``original``) |
| design.arm_count | E.8.2.4 number of treatment arms in the trial, as given |
| enrollment.count / type | with results (ctrdata): the sum of trialInformation.countrySubjectCounts[].subjects, ACTUAL; else F.4.2.2 whole trial, else F.4.2.1 EEA, else F.4.1 member state, ESTIMATED (F.4 is the planned number) |
| enrollment.unread | the first F.4 number given as written when none of them is a number |
| interventions[] | D.IMP n: D.3.1 product name (else D.3.8 INN, D.2.1.1.1 trade name, D.3.2 code); description = D.1.2/D.1.3 role, D.3.4 form, D.3.7 routes; placebo (D.8) when E.8.2.2 is Yes |
| outcomes[] | primary: E.5.1 end point(s) + E.5.1.1 timepoint(s); secondary: E.5.2 + E.5.2.1 (one Outcome per section) |
| countries | A.1 member state concerned (without its authority); E.8.6.3 countries where sites are planned |
| dates.registered | Summary "Date on which this record was first entered in the EudraCT database" |
| dates.start | results' trialInformation.recruitmentStartDate (ctrdata, trials with results); the protocol has no start date |
| results.* | ctrdata's results part (read in euctr_results): endPoints.endPoint[].title; adverseEvents.{timeFrame, description, reportingGroups.reportingGroup[]} |

Not read: B sponsor and contacts, D.2-D.3 product details other than the ones above, E.1.2 MedDRA
codes, E.6 scope, E.8.3-E.8.7 sites (other than E.8.6.3 countries) and committees, E.8.9 duration estimates, F.1-F.3 age ranges and
groups (no fact uses them), G networks, N authority/ethics decisions, P global end date (TrialRecord
has no end date), the national-language copies of each text (the English text is read; a record
that has only a national-language text is read in that language, as written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from auditor.model import (
    Dates,
    Design,
    Enrollment,
    Intervention,
    Outcome,
    Results,
    SourceRef,
    Text,
    TrialRecord,
)
from auditor.sources import euctr_results, fields, ids
from auditor.sources.jsonmap import JsonMapper

REGISTRY = "EU CTR"

_DESIGN = (("e81_controlled", "Controlled"), ("e811_randomised", "Randomised"), ("e812_open", "Open"),
           ("e813_single_blind", "Single blind"), ("e814_double_blind", "Double blind"),
           ("e815_parallel_group", "Parallel group"), ("e816_cross_over", "Cross over"), ("e817_other", "Other"),
           ("e821_other_medicinal_products", "Comparator: other medicinal product(s)"),
           ("e822_placebo", "Comparator: placebo"), ("e823_other", "Comparator: other"),
           ("e8231_comparator_description", "Comparator description"),
           ("e824_number_of_treatment_arms_in_the_trial", "Number of treatment arms in the trial"))
_MASKING = (("e812_open", "Open"), ("e813_single_blind", "Single blind"), ("e814_double_blind", "Double blind"))
_PHASES = (("e71_human_pharmacology_phase_i", "Human pharmacology (Phase I)"),
           ("e72_therapeutic_exploratory_phase_ii", "Therapeutic exploratory (Phase II)"),
           ("e73_therapeutic_confirmatory_phase_iii", "Therapeutic confirmatory (Phase III)"),
           ("e74_therapeutic_use_phase_iv", "Therapeutic use (Phase IV)"))
_ENROLMENT = ("f422_in_the_whole_clinical_trial", "f421_in_the_eea", "f41_in_the_member_state")
_OTHER_IDS = ("a41_sponsors_protocol_code_number", "a51_isrctn_international_standard_randomised_controlled_trial_number",
              "a52_us_nct_clinicaltrialsgov_registry_number", "a53_who_universal_trial_reference_number_utrn",
              "a54_other_identifiers")
_IMP_NAMES = ("d31_product_name", "d38_inn__proposed_inn", "d2111_trade_name", "d32_product_code")


@dataclass
class Fields:
    """One record's EU CTR fields by ctrdata key: (value, at, line); D.IMP blocks as their own Fields."""

    values: dict[str, tuple[str, str, int | None]] = field(default_factory=dict)
    imps: list[Fields] = field(default_factory=list)

    def value(self, key: str) -> str | None:
        entry = self.values.get(key)
        return fields.clean(entry[0]) if entry else None

    def text(self, key: str) -> Text | None:
        entry = self.values.get(key)
        return fields.text(entry[0], entry[1], entry[2]) if entry else None

    def yes(self, key: str) -> bool:
        return (self.value(key) or "").lower() == "yes"

    def at(self, *keys: str) -> tuple[str, int | None]:
        """Where a value joined from several fields sits: ``a | b``, or ``first to last`` for a run."""
        found = [self.values[k] for k in keys if k in self.values]
        if not found:
            return "", None
        where = list(dict.fromkeys(f[1] for f in found))
        return (" | ".join(where) if len(where) <= 2 else f"{where[0]} to {where[-1]}"), found[0][2]

    @classmethod
    def from_json(cls, doc: dict[str, Any], base: str) -> Fields:
        """The fields of a ctrdata EUCTR document (flat string values; ``dimp`` a list of IMP objects)."""
        m = JsonMapper(doc, base)
        out = cls({k: (str(v), m.pointer(k), None) for k, v in doc.items() if isinstance(v, (str, int, float))
                   and not isinstance(v, bool)})
        for i, imp in enumerate(doc.get("dimp") or []):
            if isinstance(imp, dict):
                sub = m.at("dimp", i)
                out.imps.append(cls({k: (str(v), sub.pointer(k), None) for k, v in imp.items()
                                     if isinstance(v, (str, int, float))}))
        return out


def to_record(f: Fields, source: SourceRef, results_doc: dict[str, Any] | None = None,
              base: str = "", member_state_code: str | None = None) -> TrialRecord:
    """Map one member-state record. `results_doc`: ctrdata's document, whose results part is read too."""
    number = ids.eudract(f.value("a2_eudract_number") or f.value("x1_eudract_number") or "")
    if number is None:
        raise ValueError("no EudraCT number (A.2)")
    state = f.value("a1_member_state_concerned") or f.value("x3_national_competent_authority") or ""
    code = member_state_code or ids.member_state_code(state)
    copy = ids.copy_id(number, code)
    secondary = ([copy] if copy else []) + ids.unique([f.value(k) for k in _OTHER_IDS], exclude=number)
    m = JsonMapper(results_doc, base) if results_doc is not None else None
    return TrialRecord(
        source=source, registry=REGISTRY, trial_id=number, secondary_ids=secondary,
        title=f.text("a31_title_of_the_trial_for_lay_people_in_easily_understood_ie_nontechnical_language"),
        official_title=f.text("a3_full_title_of_the_trial"),
        acronym=f.value("a32_name_or_abbreviated_title_of_the_trial_where_available"),
        status=f.text("p_end_of_trial_status") or f.text("x5_trial_status"),
        conditions=[t for t in (f.text("e11_medical_conditions_being_investigated"),
                                f.text("e111_medical_condition_in_easily_understood_language")) if t],
        summary=f.text("e21_main_objective_of_the_trial"),
        description=f.text("e22_secondary_objectives_of_the_trial"),
        eligibility=_joined(f, "e3_principal_inclusion_criteria", "e4_principal_exclusion_criteria"),
        design=_design(f),
        enrollment=euctr_results.enrollment(m) or _enrollment(f),
        interventions=_interventions(f),
        outcomes=_outcomes(f),
        dates=_dates(f, m),
        countries=_countries(f),
        results=euctr_results.results(m) if m is not None else Results(posted=False),
    )


# E.8.6.3 as the text download labels it; ctrdata's key is e863_trial_sites_planned_in.
_SITES_OUTSIDE = ("e863_if_e861_or_e862_are_yes_specify_the_regions_in_which_trial_sites_are_planned",
                  "e863_trial_sites_planned_in")


@cache
def _country_names() -> re.Pattern[str]:
    """Any one country name of countries.yaml (or an EU/EEA member state), the longest first, so that
    "Papua New Guinea" is not read as "Guinea" nor "Dominican Republic" as "Dominica"."""
    data = yaml.safe_load(resources.files("auditor.sources").joinpath("countries.yaml").read_text(encoding="utf-8"))
    names = {*data["names"], *(n.title() for n in ids.MEMBER_STATES if "/" not in n)}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)


def _countries(f: Fields) -> list[Text]:
    """A.1 member state ("France - ANSM" -> France), then E.8.6.3 countries one a line. ctrdata joins
    E.8.6.3 with spaces ("United Kingdom France Germany"), which cannot be split without a list of
    country names: then the names of countries.yaml are found in it, left to right."""
    found: list[Text] = []
    state = f.text("a1_member_state_concerned")
    if state is not None:
        found.append(Text(value=state.value.split(" - ")[0].strip(), at=state.at, line=state.line))
    for key in _SITES_OUTSIDE:
        t = f.text(key)
        if t is None:
            continue
        if "\n" in t.value or " " not in t.value.strip():
            found += [Text(value=n.strip(), at=t.at, line=t.line) for n in t.value.split("\n") if n.strip()]
        else:
            found += [Text(value=n, at=t.at, line=t.line) for n in _country_names().findall(t.value)]
    return list({c.value.lower(): c for c in found}.values())


def _joined(f: Fields, *keys: str, sep: str = "\n\n") -> Text | None:
    parts = [t for k in keys if (t := f.text(k)) is not None]
    if len(parts) < 2:
        return parts[0] if parts else None
    at, line = f.at(*keys)
    return Text(value=sep.join(p.value for p in parts), at=at, line=line)


def _design(f: Fields) -> Design:
    answers = [(k, label, v) for k, label in _DESIGN if (v := f.value(k)) is not None]
    description = None
    if answers:
        at, line = f.at(*(k for k, _, _ in answers))
        description = Text(value="\n".join(f"{label}: {v}" for _, label, v in answers), at=at, line=line)
    randomised = f.text("e811_randomised")
    allocation = Text(value=f"Randomised: {randomised.value}", at=randomised.at, line=randomised.line) \
        if randomised else None
    masked = [(k, label) for k, label in _MASKING if f.yes(k)]
    masking = None
    if len(masked) == 1:
        t = f.text(masked[0][0])
        masking = Text(value=masked[0][1], at=t.at, line=t.line) if t else None
    phases = [Text(value=f"PHASE{i}", at=t.at, line=t.line, original=label)
              for i, (k, label) in enumerate(_PHASES, 1) if f.yes(k) and (t := f.text(k))]
    arms = f.text("e824_number_of_treatment_arms_in_the_trial")
    return Design(study_type=Text(value="INTERVENTIONAL", at=f.at("a2_eudract_number")[0] or "A.2"),
                  allocation=allocation, masking=masking, phases=phases, description=description,
                  arm_count=fields.number(arms.value, arms.at, arms.line) if arms else None)


def _enrollment(f: Fields) -> Enrollment:
    return fields.stated_enrollment((f.text(key), "ESTIMATED") for key in _ENROLMENT)


def _interventions(f: Fields) -> list[Intervention]:
    out = []
    for imp in f.imps:
        name = next((t for k in _IMP_NAMES if (t := imp.text(k)) is not None), None)
        details = [f"{label}: {v}" for k, label in (("d12_and_d13_imp_role", "IMP role"),
                                                    ("d34_pharmaceutical_form", "Pharmaceutical form"),
                                                    ("d37_routes_of_administration_for_this_imp", "Routes"))
                   if (v := imp.value(k))]
        at, line = imp.at("d12_and_d13_imp_role", "d31_product_name")
        out.append(Intervention(name=name, type=Text(value="DRUG", at=at or "D.IMP", line=line),
                                description=Text(value="; ".join(details), at=at, line=line) if details else None))
    placebo = f.text("e822_placebo")
    if placebo is not None and f.yes("e822_placebo"):
        out.append(Intervention(name=Text(value="Placebo", at=placebo.at, line=placebo.line)))
    return out


def _outcomes(f: Fields) -> list[Outcome]:
    out = []
    for kind, measure, timepoint in (("primary", "e51_primary_end_points", "e511_timepoints_of_evaluation_of_this_end_point"),
                                     ("secondary", "e52_secondary_end_points", "e521_timepoints_of_evaluation_of_this_end_point")):
        m, t = f.text(measure), f.text(timepoint)
        if m is not None or t is not None:
            out.append(Outcome(kind=kind, measure=m, time_frame=t))  # type: ignore[arg-type]
    return out


def _dates(f: Fields, m: JsonMapper | None) -> Dates:
    start = m.text("trialInformation", "recruitmentStartDate") if m is not None else None
    registered = f.text("x6_date_on_which_this_record_was_first_entered_in_the_eudract_database")
    return fields.dated(start=start, registered=registered,
                        start_type=Text(value="ACTUAL", at=start.at) if start is not None else None)
