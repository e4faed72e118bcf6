"""WHO ICTRP XML (2020, 2024 field sets) and CSV (header, positional): one shared field mapping."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.errors import InputError, RecordError
from auditor.model import SourceRef
from auditor.sources import ictrp, read_blob
from tests.sources.conftest import FIXTURES, read_all


def _by_id(*paths):
    records, errors = read_all(*paths)
    return {r.trial_id: r for r in records}, errors


def test_2020_xml_chictr_record():
    records, _ = _by_id(FIXTURES / "ictrp_2020.xml")
    r = records["ChiCTR2000000001"]
    assert r.registry == "ICTRP:ChiCTR" and r.source.format == "ictrp-xml"
    assert r.official_title.value == "Exercise for chronic low back pain: a randomized controlled trial"  # padding gone
    assert r.title.at == "/Trials_downloaded_from_ICTRP/Trial[1]/Public_title"
    # several groups and no total: no count invented, the per-group targets kept
    assert r.enrollment.count is None
    assert [(n.value, n.text) for n in r.enrollment.per_arm] == [(30, "Experimental group:30"), (30, "Control group:30")]
    assert [o.measure.value for o in r.outcomes] == ["pain intensity", "disability"]
    assert all(o.time_frame is None for o in r.outcomes)
    assert r.design.description.value == "Parallel" and r.design.allocation is None
    assert r.eligibility.value == "Inclusion criteria: low back pain for 3 months or more\n\nExclusion criteria: spinal surgery"
    assert r.eligibility.at.endswith("/Inclusion_Criteria | /Trials_downloaded_from_ICTRP/Trial[1]/Exclusion_Criteria")
    assert r.dates.registered_parsed == date(2020, 2, 17) and r.dates.start_parsed == date(2020, 3, 1)


def test_2020_xml_ctgov_record_design_and_target_size():
    records, _ = _by_id(FIXTURES / "ictrp_2020.xml")
    r = records["NCT09000002"]
    assert r.registry == "ICTRP:ClinicalTrials.gov"
    assert r.official_title is None  # NULL
    assert (r.enrollment.count.value, r.enrollment.count.text) == (120, "120 ; Group A: 60 ; Group B: 60")
    assert r.design.allocation.value == "Randomized"
    assert r.design.masking.value == "Single (Outcomes Assessor)"
    assert [w.value for w in r.design.who_masked] == ["OUTCOMES_ASSESSOR"]
    assert r.design.intervention_model.value == "Parallel Assignment"
    assert [(i.type.value, i.name.value) for i in r.interventions] == [("Behavioral", "Yoga"), ("Other", "Education booklet")]
    assert [c.value for c in r.conditions] == ["Low Back Pain", "Sciatica"]
    # one outcome naming its time point in its own text: the reader does not judge it a time frame
    # (auditor/extract/followup reads times named in the measure of an outcome without one)
    (o,) = r.outcomes
    assert o.measure.value == "Roland-Morris Disability Questionnaire at 12 weeks" and o.time_frame is None
    assert r.dates.start_parsed == date(2020, 1, 25) and r.dates.registered_parsed == date(2020, 1, 27)


def test_record_without_trial_id_is_a_record_error_and_the_rest_go_on():
    records, errors = _by_id(FIXTURES / "ictrp_2020.xml")
    assert len(records) == 2
    (err,) = errors
    assert isinstance(err, RecordError) and err.index == 2
    assert "TrialID" in err.one_line() and "Trial[3]" in err.one_line()


def test_2024_xml_eu_ctr_sections_and_results():
    records, errors = _by_id(FIXTURES / "ictrp_2024.xml")
    assert not errors
    r = records["EUCTR2021-000001-14-ES"]
    assert r.registry == "ICTRP:EU Clinical Trials Register"
    assert r.enrollment.count is None  # "not stated"
    assert r.design.allocation.value == "Randomised: yes"
    assert "Double blind: yes" in r.design.description.value and "<br>" not in r.design.description.value
    primary, secondary = r.outcomes
    assert (primary.measure.value, primary.time_frame.value) == ("Pain intensity (NRS)", "Week 12")
    assert primary.description.value == "Main objective: To evaluate pain"
    assert (secondary.kind, secondary.measure.value, secondary.time_frame.value) == ("secondary", "Disability", "Week 26")
    assert r.results.posted and r.results.posted_at.endswith("/results_yes_no")
    assert r.dates.start_parsed == date(2021, 4, 16) and r.dates.registered_parsed == date(2021, 4, 8)


def test_2024_xml_line_lists_and_labelled_allocation():
    records, _ = _by_id(FIXTURES / "ictrp_2024.xml")
    r = records["DRKS00000001"]
    assert r.design.allocation.value == "Non-randomized controlled trial"
    assert r.design.masking.value == "Open (masking not used)" and r.design.who_masked == []
    assert [o.measure.value for o in r.outcomes if o.kind == "secondary"] == [
        "Disability (ODI), at each visit", "Quality of life (EQ-5D)", "Satisfaction with therapy"]
    assert r.dates.registered_parsed == date(2016, 12, 6)
    assert not r.results.posted


def test_header_csv_maps_like_the_xml():
    csv_records, errors = _by_id(FIXTURES / "ictrp_header.csv")
    xml_records, _ = _by_id(FIXTURES / "ictrp_2020.xml")
    assert not errors
    a, b = csv_records["NCT09000002"], xml_records["NCT09000002"]
    assert a.source.format == "ictrp-csv"
    for pick in (lambda r: r.design.allocation.value, lambda r: [w.value for w in r.design.who_masked],
                 lambda r: r.dates.registered_parsed, lambda r: r.dates.start_parsed, lambda r: r.enrollment.count.value,
                 lambda r: [(o.measure.value, o.time_frame and o.time_frame.value) for o in r.outcomes], lambda r: r.registry):
        assert pick(a) == pick(b)
    assert a.title.at == "row 2, column Public title" and a.title.line == 2
    assert a.eligibility.value == "Inclusion Criteria:\n\nBack pain > 12 weeks"


def test_header_csv_anzctr_bracketed_time_frame():
    records, _ = _by_id(FIXTURES / "ictrp_header.csv")
    r = records["ACTRN12620000001"]
    assert r.registry == "ICTRP:ANZCTR"
    (o,) = r.outcomes
    assert (o.measure.value, o.time_frame.value) == ("Pain intensity", "At 5 days post randomisation")
    assert r.design.allocation.value == "Randomised controlled trial"


def test_anzctr_timepoint_glued_to_its_outcome_is_the_time_frame():
    # ICTRP appends ANZCTR's Timepoint field to the outcome in brackets, on a new line only where the
    # outcome text ended in one: glued, it is the same field ("Mortality[28 day post discharge]").
    values = {"TrialID": "ACTRN12620000002", "Source Register": "ANZCTR",
              "Primary outcome": "Maternal mortality from COVID-19[During pregnancy until 6 weeks postpartum];"
                                 "Distress on the Kessler Scale (K10). [Baseline, 3 months post-intervention]"}
    ref = SourceRef(path="export.csv", format="ictrp-csv")
    r = ictrp.to_record(values, lambda name: {"at": f"row 2, column {name}"}, ref, "row 2")
    assert not isinstance(r, RecordError)
    assert [(o.measure.value, o.time_frame.value) for o in r.outcomes] == [
        ("Maternal mortality from COVID-19", "During pregnancy until 6 weeks postpartum"),
        ("Distress on the Kessler Scale (K10).", "Baseline, 3 months post-intervention")]
    assert r.outcomes[0].time_frame.at == "row 2, column Primary outcome"
    # Another register's bracket is the outcome's own words: the reader does not judge it a time frame.
    values = {**values, "TrialID": "ChiCTR2000000009", "Source Register": "ChiCTR",
              "Primary outcome": "Time to clinical improvement (TTCI) [time window: 28 days]"}
    (o,) = ictrp.to_record(values, lambda name: {"at": name}, ref, "row 2").outcomes
    assert (o.measure.value, o.time_frame) == ("Time to clinical improvement (TTCI) [time window: 28 days]", None)


def test_positional_csv_uses_the_field_list_order():
    records, errors = _by_id(FIXTURES / "ictrp_positional.csv")
    assert not errors and set(records) == {"ISRCTN10000001", "IRCT20200301000001N1"}
    isrctn = records["ISRCTN10000001"]
    assert isrctn.registry == "ICTRP:ISRCTN"  # no Source_Register column: named from the ID prefix
    assert isrctn.enrollment.count.value == 200 and isrctn.enrollment.type.value == "ACTUAL"
    assert [o.measure.value for o in isrctn.outcomes] == ["Pain (VAS) at 6 months", "Function (ODI) at 6 months"]
    assert isrctn.title.at == "row 1, column public_title"
    irct = records["IRCT20200301000001N1"]
    assert irct.enrollment.count is None and irct.enrollment.type.value == "ESTIMATED"
    (o,) = irct.outcomes
    assert (o.measure.value, o.time_frame.value, o.description.value) == ("Pain", "Weekly", "VAS.")


def test_positional_csv_with_a_short_row_gives_a_record_error():
    data = (FIXTURES / "ictrp_positional.csv").read_bytes() + b"ISRCTN10000009,too,short\n"
    items = list(read_blob(data, "export.csv"))
    assert isinstance(items[-1], RecordError) and "3 columns" in items[-1].one_line()
    assert sum(not isinstance(i, RecordError) for i in items) == 2


def test_entity_bomb_is_refused_quickly():
    with pytest.raises(InputError, match="refused unsafe XML"):
        list(read_blob((FIXTURES / "entity_bomb.xml").read_bytes(), "bomb.xml"))


def test_export_without_trials_is_an_input_error():
    with pytest.raises(InputError, match="without any <Trial>"):
        list(read_blob(b"<Trials_downloaded_from_ICTRP></Trials_downloaded_from_ICTRP>", "empty.xml"))


@pytest.mark.parametrize("name", ["Primary_outcome", "Primary outcome", "Primary_Outcome", "primary outcome"])
def test_field_names_match_across_exports(name):
    record = ictrp.to_record({"TrialID": "NCT1", name: "Pain"}, lambda f: {"at": f},
                             SourceRef(path="x", format="t"), "/")
    assert record.outcomes[0].measure.at == name


@pytest.mark.parametrize("text", ["Global impression of change", "Pain (VAS) at 6 months and 12 months",
                                  "Pain [6 months]", "Mortality at hospital discharge"])
def test_times_the_registry_does_not_mark_stay_in_the_measure(text):
    # Readers do not judge what is a time (issue 10): only a marked time frame is split off.
    record = ictrp.to_record({"TrialID": "NCT1", "Primary_outcome": text},
                             lambda f: {"at": f}, SourceRef(path="x", format="t"), "/")
    (o,) = record.outcomes
    assert o.time_frame is None and o.measure.value == text


@pytest.mark.parametrize("text, measure, time_frame", [
    ("Pain [Time frame: 6 months]", "Pain", "6 months"),
    ("Pain intensity\n[At 5 days post randomisation]", "Pain intensity", "At 5 days post randomisation"),
    ("Pain. Timepoint: Weekly", "Pain", "Weekly")])
def test_marked_time_frames_are_split_off(text, measure, time_frame):
    record = ictrp.to_record({"TrialID": "NCT1", "Primary_outcome": text},
                             lambda f: {"at": f}, SourceRef(path="x", format="t"), "/")
    (o,) = record.outcomes
    assert (o.measure.value, o.time_frame.value) == (measure, time_frame)


def test_scale_categories_are_not_split_into_outcomes():
    text = "Clinical status (7-point ordinal scale):<br>1. Not hospitalised<br>2. Hospitalised<br>3. Death"
    record = ictrp.to_record({"TrialID": "NCT1", "Primary_outcome": text}, lambda f: {"at": f},
                             SourceRef(path="x", format="t"), "/")
    assert len(record.outcomes) == 1


@pytest.mark.parametrize("target, count, per_arm", [
    ("120", 120, []),
    ("120 ; Group A: 60", 120, []),  # starts with the total
    # ChiCTR group lists: the number after each colon; a leading group number or count is label
    ("4 groups:2800;", 2800, [2800]),
    ("1 the critical group :8;2 the severe group:8;3 the control group:8;", None, [8, 8, 8]),
    ("1:30;2:30;", None, [30, 30]),
    ("Target condition:3000;Difficult condition:0", None, [3000, 0]),  # a 0 is mapped as written
    ("Medical students group; Non-medical students group:1300;", 1300, [1300]),
])
def test_target_size_group_lists(target, count, per_arm):
    record = ictrp.to_record({"TrialID": "ChiCTR1", "Target size": target}, lambda f: {"at": f},
                             SourceRef(path="x", format="t"), "/")
    e = record.enrollment
    assert (e.count.value if e.count else None) == count
    assert [n.value for n in e.per_arm] == per_arm
