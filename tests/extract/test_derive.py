"""derive(): every fact for any record, honest nulls, and the smaller fact modules."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.extract import derive, design, population, registration, safety
from auditor.facts import BLANK
from auditor.model import Dates, Design, Enrollment, Number, SafetyPlan
from tests.extract.helpers import record, t


def _keys(d: dict, prefix: str = "") -> set[str]:
    out = set()
    for k, v in d.items():
        out |= _keys(v, f"{prefix}{k}.") if isinstance(v, dict) else {prefix + k}
    return out


def test_empty_record_gives_every_fact_unknown():
    sheet = derive(record())
    assert _keys(sheet.facts) == _keys(BLANK)
    f = sheet.facts
    assert f["sample_size"]["enrollment"] is None and f["design"]["randomized"] is None
    assert f["treatment"]["duration_weeks"] is None and f["follow_up"]["max_weeks_from_baseline"] is None
    assert f["follow_up"]["time_frames_specific"] is None and f["results"]["adverse_events_reported"] is None
    assert f["population"]["chronic_lbp_12w"] is None and f["registration"]["prospective"] is None


def test_legacy_prose_record():
    """ICTRP / legacy XML: allocation and masking as prose, no enrollment type."""
    rec = record(design=Design(allocation=t("Randomized controlled trial"), study_type=t("Interventional study"),
                               masking=t("Single blind (outcome assessor)")),
                 enrollment=Enrollment(count=Number(value=120, at="/n")),
                 arms=[{"label": "A", "description": "Exercise for 8 weeks"}, {"label": "B", "description": "Usual care"}],
                 outcomes=[{"measure": "Oswestry Disability Index", "time_frame": "12 months after the end of treatment"}])
    f = derive(rec).facts
    assert f["study"]["type"] == "interventional"
    assert f["design"]["randomized"] is True and f["design"]["arm_count"] == 2
    assert f["design"]["assessor_blinded"] is True
    assert f["sample_size"]["enrollment"] == 120 and f["sample_size"]["enrollment_type"] is None
    assert f["sample_size"]["per_arm"] == 60
    assert f["treatment"]["duration_weeks"] == 8
    assert f["follow_up"]["weeks_after_treatment"] == 52 and f["follow_up"]["max_weeks_from_baseline"] == 60


@pytest.mark.parametrize("allocation,expected", [
    ("RANDOMIZED", True), ("NON_RANDOMIZED", False), ("NA", False), ("Non-randomised controlled", False),
    ("Randomised", True), ("N/A: single arm study", False),
])
def test_randomized(allocation: str, expected: bool):
    assert design.randomized(record(design=Design(allocation=t(allocation))))[0] is expected


def test_follow_up_unknown_duration_is_null_unless_settled():
    outcomes = [{"measure": "Pain", "time_frame": "Baseline, 6 and 26 weeks"}]
    rec = record(arms=[{"label": "A", "description": "Physiotherapy"}], outcomes=outcomes)
    f = derive(rec).facts
    assert f["follow_up"]["max_weeks_from_baseline"] == 26 and f["follow_up"]["weeks_after_treatment"] is None


def test_one_off_procedure_counts_from_surgery():
    rec = record(arms=[{"label": "Surgery", "type": "EXPERIMENTAL", "description": "Lumbar microdiscectomy"}],
                 outcomes=[{"measure": "ODI", "time_frame": "3, 6 and 24 months post-operatively"}])
    f = derive(rec).facts
    assert f["treatment"]["duration_weeks"] == 0 and f["follow_up"]["weeks_after_treatment"] == 104


def test_unspecific_time_frames():
    rec = record(outcomes=[{"measure": "Pain", "time_frame": "12 weeks"}, {"measure": "ODI", "time_frame": "end of study"},
                           {"measure": "SF-36"}, {"measure": "Mood", "time_frame": "post-intervention"}])
    f = derive(rec).facts["follow_up"]
    assert f["time_frames_specific"] is False
    assert "end of study" in f["unspecific_time_frames"] and "post-intervention" in f["unspecific_time_frames"]
    assert any(x.startswith("(no time frame)") for x in f["unspecific_time_frames"])


def test_hrqol_time_points_only_from_hrqol_outcomes():
    rec = record(arms=[{"label": "A", "description": "A 12-week exercise program"}],
                 outcomes=[{"measure": "SF-12", "time_frame": "Baseline and 26 weeks"},
                           {"measure": "Pain NRS", "time_frame": "Baseline and 104 weeks"}])
    f = derive(rec).facts["outcomes"]["hrqol"]
    assert f == {"instruments": ["SF-12"], "max_weeks_from_baseline": 26, "weeks_after_treatment": 14}


@pytest.mark.parametrize("eligibility,expected", [
    ("Inclusion Criteria: low back pain for at least 3 months", True),
    ("Chronic LBP (> 12 weeks)", True),
    ("LBP persistent for 6 months or longer", True),
    ("Meets the NIH Task Force definition of chronic low back pain", True),
    ("Back pain for at least 6 weeks", False),
    ("Inclusion: adults with low back pain. Exclusion Criteria: symptoms < 3 months", True),
    ("Adults with low back pain", False),  # no pain-duration requirement admits < 12 weeks
    ("Inclusion Criteria: women with acute and chronic lumbopelvic pain", False),
    ("Herniated lumbar disc, up to 3 months from beginning of symptoms", False),
    ("Onset of radiating leg pain within the last six months", False),
    ("Inclusion Criteria: patients do not have any other acute disease that will cause pain", False),
])
def test_chronic_lbp(eligibility: str, expected: bool | None):
    rec = record(conditions=["Low Back Pain"], eligibility=eligibility)
    assert population.derive(rec).chronic_12w is expected


def test_chronic_lbp_null_when_not_about_back_pain():
    rec = record(conditions=["Depression"], eligibility="symptoms for at least 3 months")
    pop = population.derive(rec)
    assert pop.low_back_pain is False and pop.chronic_12w is None


def test_registration_month_precision():
    def reg(start: date, precision: str, registered: date):
        rec = record(dates=Dates(start=t(str(start)), registered=t(str(registered)), start_parsed=start,
                                 start_precision=precision, registered_parsed=registered))
        return registration.derive(rec)[:2]
    assert reg(date(2020, 5, 1), "month", date(2020, 5, 20)) == (None, None)  # same month: undecidable
    assert reg(date(2020, 5, 1), "month", date(2020, 4, 20)) == (-11, True)
    assert reg(date(2020, 5, 1), "month", date(2020, 6, 10)) == (10, False)  # at least 10 days late
    assert reg(date(2020, 5, 3), "day", date(2020, 5, 3)) == (0, True)


def test_safety_plan_and_negation():
    rec = record(summary="No adverse events are expected from this education program.")
    assert safety.derive(rec).planned is False
    rec = record(summary="This study will evaluate the efficacy and safety of the device.")
    assert safety.derive(rec).planned is True
    rec = record(outcomes=[{"measure": "Number of participants with adverse events", "time_frame": "Up to 12 weeks",
                            "description": "Collected systematically at each visit and spontaneously reported."}])
    s = safety.derive(rec)
    assert s.planned and s.time_frame_stated and s.method == "both"
    rec = record(safety=SafetyPlan(collection_method=t("spontaneous reports")))
    assert safety.derive(rec).method == "spontaneous"


def test_results_without_ae_counts():
    from auditor.model import Results
    assert safety.ae_results(record())[0] is None
    assert safety.ae_results(record(results=Results(posted=True)))[0] is False


def test_evidence_quotes_are_substrings():
    rec = record(summary="Patients attend a 12-week program.", arms=[{"label": "A", "description": "twice a week for 6 weeks"}],
                 outcomes=[{"measure": "SF-36 physical component", "time_frame": "Baseline, 6 weeks, 3, 6 and 12 months"}])
    sheet = derive(rec)
    texts = {"/arms/0/description": "twice a week for 6 weeks", "/out/0/measure": "SF-36 physical component",
             "/out/0/timeFrame": "Baseline, 6 weeks, 3, 6 and 12 months", "/arms/0/label": "A"}
    for items in sheet.evidence.values():
        for ev in items:
            if ev.at in texts:
                assert ev.quote in texts[ev.at]


def test_arm_count_without_arm_groups():
    rec = record(design=Design(allocation=t("RANDOMIZED")),
                 summary="The purpose of this study was to compare standardized chiropractic treatment to back surgery.")
    assert design.arm_count(rec)[0] == 2
    rec = record(design=Design(allocation=t("RANDOMIZED")), title="Drug A Versus Drug B Versus Placebo")
    assert design.arm_count(rec)[0] == 3
    assert design.arm_count(record(summary="We compare two cohorts with each other."))[0] is None  # not randomised


def test_follow_up_from_description_when_outcomes_have_no_time_frame():
    rec = record(outcomes=[{"measure": "Roland Morris Disability Index"}],
                 description="Study Design: randomized trial, recruitment 2000-2004, 1 year follow-up. Main Outcome "
                             "Measures: SF-36 before treatment initiation and after 3, 6, 12, 24 and 52 weeks.")
    sheet = derive(rec)
    assert sheet.facts["follow_up"]["max_weeks_from_baseline"] == 52
    (ev,) = sheet.evidence["follow_up.max_weeks_from_baseline"]
    assert ev.quote in rec.description.value and "description" in ev.note


@pytest.mark.parametrize("masking,expected", [
    ("Open (masking not used)", False), ("NONE", False), ("Open-label, assessor-blinded", True),
    ("Single blind (outcome assessor)", True), ("Double", None), ("Blinded (masking used)", None),
    # Three of four roles need not include the assessor; all four do.
    ("Triple-blind", None), ("Triple blind (participant, investigator, data analyst)", None),
    ("Quadruple-blind", True),
])
def test_assessor_blinded_prose(masking: str, expected: bool | None):
    assert design.assessor_blinded(record(design=Design(masking=t(masking))))[0] is expected


def test_hrqol_results_by_registered_title():
    from auditor.model import Results
    rec = record(outcomes=[{"measure": "Change in Quality of Life (PCS)", "description": "SF-12 physical component"}],
                 results=Results(posted=True, outcome_titles=[t("Change in Quality of Life (PCS)", "/r/0")]))
    assert derive(rec).facts["results"]["hrqol_reported"] is True
    rec = record(outcomes=[{"measure": "Pain NRS"}], results=Results(posted=True, outcome_titles=[t("Pain NRS", "/r/0")]))
    assert derive(rec).facts["results"]["hrqol_reported"] is False


def test_cervical_disc_is_not_low_back():
    assert population.derive(record(conditions=["Cervical Disc Herniation"])).low_back_pain is False
    assert population.derive(record(conditions=["Disc Herniation"])).low_back_pain is True
    assert population.derive(record(conditions=["Lumbar Disc Herniation"])).low_back_pain is True


@pytest.mark.parametrize("eligibility,description,expected", [
    ("Adults with sciatica", "Sixty patients with severe non-acute sciatic pain", False),
    ("If pain is secondary to HNP: MRI within the last 2 months demonstrating HNP", None, False),
    ("Disc herniation with back and/or leg pain", "Patients must have a single-level acute disc herniation.", False),
])
def test_chronic_lbp_context(eligibility: str, description: str | None, expected: bool | None):
    rec = record(conditions=["Lumbar Disc Herniation"], eligibility=eligibility, description=description)
    assert population.derive(rec).chronic_12w is expected
